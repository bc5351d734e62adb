import {
  applyAssignerOperation,
  isAssignerOperation,
  isPlainObject,
  isVariableValueType,
  type AssignerInputType,
  type AssignerNodeData,
  type GraphNode,
  type VariablePool,
  type VariableValueType,
} from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import type { NodeContext } from '../../engine/engine.types';
import { failedOutcome, type NodeExecutor } from '../node-executor.types';

/** The type a variable holds when nothing declares it, judged from its current value. */
function inferType(value: unknown): VariableValueType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (isPlainObject(value)) return 'object';
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    if (typeof first === 'number') return 'array[number]';
    if (typeof first === 'boolean') return 'array[boolean]';
    if (isPlainObject(first)) return 'array[object]';
    return 'array[string]';
  }
  return 'string';
}

/**
 * The assigner node (v2 `items`; v1's single assignment is read as one item): each item applies an
 * operation to a conversation or loop variable, and later items see earlier items' writes.
 */
export class AssignerExecutor implements NodeExecutor {
  execute(node: GraphNode, pool: VariablePool, ctx: NodeContext): NodeOutcome {
    const data = node.data as unknown as AssignerNodeData;
    const items = data.items ?? this.legacyItems(node.data);
    const updated: Record<string, unknown>[] = [];
    try {
      for (const item of items) {
        const selector = item.variable_selector as string[];
        const operation = String(item.operation ?? 'over-write');
        if (!isAssignerOperation(operation)) throw new Error(`Unknown operation ${operation}`);
        const inputType = (item.input_type ?? 'variable') as AssignerInputType;
        const rawValue: unknown = (item as Record<string, unknown>)['value'];
        const value = inputType === 'variable' && Array.isArray(rawValue) ? pool.get(rawValue as string[]) : rawValue;
        const current = pool.get(selector);
        const declared = ctx.declaredTypes.get(selector.join('.'));
        const type = declared && isVariableValueType(declared) ? declared : inferType(current);
        const next = applyAssignerOperation({ type, value: current ?? null }, operation, value ?? null, { inputType });
        pool.set(selector, next);
        updated.push({ selector, value: next, value_type: type });
      }
      return { inputs: {}, outputs: {}, processData: { updated_variables: updated }, status: 'succeeded' };
    } catch (error) {
      return failedOutcome(error);
    }
  }

  private legacyItems(
    data: Record<string, unknown>,
  ): { input_type: string; operation: string; value: unknown; variable_selector: unknown }[] {
    const selector = data['assigned_variable_selector'];
    if (!Array.isArray(selector)) return [];
    const mode = String(data['write_mode'] ?? 'over-write');
    return [{ input_type: 'variable', operation: mode, value: data['input_variable_selector'], variable_selector: selector }];
  }
}
