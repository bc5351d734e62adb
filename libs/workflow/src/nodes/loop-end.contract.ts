import type { NodeTypeContract } from './node-type.types';

/** Ends a loop early when the run reaches it (the engine notices it; the node itself does nothing). */
export const LOOP_END_NODE_CONTRACT = {
  container: 'loop',
  outputs: [],
  role: 'marker',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
