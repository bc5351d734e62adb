import type { NodeTypeContract } from './node-type.types';

/** Where a loop's body starts; it does nothing itself. */
export const LOOP_START_NODE_CONTRACT = {
  container: 'loop',
  editorType: 'custom-loop-start',
  outputs: [],
  role: 'marker',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
