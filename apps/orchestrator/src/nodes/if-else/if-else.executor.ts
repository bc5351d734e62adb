import { evaluateIfElse, type GraphNode, type IfElseNodeConditions, type VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import { failedOutcome, type NodeExecutor } from '../node-executor.types';

/** The if-else node: the first case that holds names the branch taken, otherwise "false". */
export class IfElseExecutor implements NodeExecutor {
  execute(node: GraphNode, pool: VariablePool): NodeOutcome {
    try {
      const selected = evaluateIfElse(node.data as unknown as IfElseNodeConditions, pool);
      const result = selected !== 'false';
      return {
        edgeSourceHandle: selected,
        inputs: {},
        outputs: { result, selected_case_id: selected },
        processData: { condition_results: [] },
        status: 'succeeded',
      };
    } catch (error) {
      return failedOutcome(error);
    }
  }
}
