import type { NodeOutcome } from '@weft/contracts';
import type { NodeExecutor } from '../node-executor.types';

/** The marker node types (iteration-start, loop-start, loop-end): they have no work of their own. */
export class MarkerExecutor implements NodeExecutor {
  execute(): NodeOutcome {
    return { inputs: {}, outputs: {}, status: 'succeeded' };
  }
}
