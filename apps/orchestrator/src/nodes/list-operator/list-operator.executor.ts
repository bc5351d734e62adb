import { applyListOperator, type GraphNode, type ListOperatorNodeConfig, type VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import { failedOutcome, type NodeExecutor } from '../node-executor.types';

/** The list-operator node: filter, extract, order and limit an array variable. */
export class ListOperatorExecutor implements NodeExecutor {
  execute(node: GraphNode, pool: VariablePool): NodeOutcome {
    const config = node.data as unknown as ListOperatorNodeConfig;
    const inputs = { variable: pool.get(config.variable) ?? null };
    try {
      return { inputs, outputs: { ...applyListOperator(config, pool) }, status: 'succeeded' };
    } catch (error) {
      return failedOutcome(error, inputs);
    }
  }
}
