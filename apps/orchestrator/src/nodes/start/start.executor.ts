import type { GraphNode, StartNodeData, VariablePool } from '@weft/workflow';
import type { NodeOutcome } from '@weft/contracts';
import type { NodeExecutor } from '../node-executor.types';

/** The start node: its outputs are the run's validated inputs (placed in the pool by the run) and `sys.*`. */
export class StartExecutor implements NodeExecutor {
  execute(node: GraphNode, pool: VariablePool): NodeOutcome {
    const data = node.data as unknown as StartNodeData;
    const inputs: Record<string, unknown> = {};
    for (const variable of data.variables ?? []) inputs[variable.variable] = pool.get([node.id, variable.variable]) ?? null;
    const system: Record<string, unknown> = {};
    for (const name of [
      'user_id',
      'app_id',
      'workflow_id',
      'workflow_run_id',
      'files',
      'query',
      'conversation_id',
      'dialogue_count',
      'timestamp',
    ]) {
      const value = pool.get(['sys', name]);
      if (value !== undefined) system[`sys.${name}`] = value;
    }
    return { inputs, outputs: { ...inputs, ...system }, status: 'succeeded' };
  }
}
