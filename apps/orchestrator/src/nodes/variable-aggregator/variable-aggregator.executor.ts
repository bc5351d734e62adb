import { aggregateVariables, type GraphNode, type VariableAggregatorNodeConfig, type VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import { failedOutcome, type NodeExecutor } from '../node-executor.types';

/** The variable-aggregator node (and the legacy variable-assigner, which is the same node under its old name). */
export class VariableAggregatorExecutor implements NodeExecutor {
  execute(node: GraphNode, pool: VariablePool): NodeOutcome {
    try {
      const outputs = aggregateVariables(node.data as unknown as VariableAggregatorNodeConfig, pool);
      return { inputs: {}, outputs, status: 'succeeded' };
    } catch (error) {
      return failedOutcome(error);
    }
  }
}
