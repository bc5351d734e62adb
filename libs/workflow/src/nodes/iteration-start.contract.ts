import type { NodeTypeContract } from './node-type.types';

/** Where an iteration's body starts; it does nothing itself. */
export const ITERATION_START_NODE_CONTRACT = {
  container: 'iteration',
  editorType: 'custom-iteration-start',
  outputs: [],
  role: 'marker',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
