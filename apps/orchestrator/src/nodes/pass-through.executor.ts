import type { NodeOutcome } from '@weft/contracts';
import type { NodeExecutor } from './node-executor.types';

/** The inner start of an iteration or loop body, and loop-end: markers with no work of their own. */
export class PassThroughExecutor implements NodeExecutor {
  execute(): NodeOutcome {
    return { inputs: {}, outputs: {}, status: 'succeeded' };
  }
}
