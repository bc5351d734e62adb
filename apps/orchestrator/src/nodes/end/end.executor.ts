import type { EndNodeData, GraphNode, VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import { asSelector, type NodeExecutor } from '../node-executor.types';

/** The end node: each declared output reads its selector; a missing value becomes null, as in Dify. */
export class EndExecutor implements NodeExecutor {
  execute(node: GraphNode, pool: VariablePool): NodeOutcome {
    // Node data was validated at import; parsing it again on every run would only cost time.
    const data = node.data as unknown as EndNodeData;
    const outputs: Record<string, unknown> = {};
    for (const output of data.outputs ?? []) outputs[output.variable] = pool.get(asSelector(output.value_selector)) ?? null;
    return { inputs: outputs, outputs, status: 'succeeded' };
  }
}
