import type { GraphNode, VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import type { NodeContext } from '../engine/engine.types';

/** One node type's behaviour. Executors never throw for a node failure: they return a failed outcome. */
export interface NodeExecutor {
  execute(node: GraphNode, pool: VariablePool, ctx: NodeContext): NodeOutcome | Promise<NodeOutcome>;
}

/** A selector from node data the import already validated; anything else reads as nothing. */
export function asSelector(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

/** A failed outcome from anything thrown, keeping the error's name as Dify's `error_type`. */
export function failedOutcome(error: unknown, inputs: Record<string, unknown> | null = null): NodeOutcome {
  const err = error instanceof Error ? error : new Error(String(error));
  return { error: err.message, errorType: err.name === 'Error' ? 'NodeRunError' : err.name, inputs, status: 'failed' };
}
