import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import type { NodeTypeContract } from './node-type.types';

/** `data` of an iteration node. */
export const IterationNodeDataSchema = NodeDataCommonSchema.extend({
  iterator_selector: z.unknown(),
  output_selector: z.unknown(),
  start_node_id: z.union([z.string(), z.number()]).nullish(),
}).passthrough();

/** Typed view of an iteration node's data. */
export type IterationNodeData = z.infer<typeof IterationNodeDataSchema>;

/** The iteration node: runs its body once per item of an array and collects one value per round. */
export const ITERATION_NODE_CONTRACT = {
  bodyStart: 'iteration-start',
  dataSchema: IterationNodeDataSchema,
  insideOutputs: () => ['item', 'index'],
  outputs: [{ name: 'output', type: 'array[any]' }],
  readReferences: (data, read) => {
    read.selector(data.iterator_selector, 'iterator_selector');
    read.selector(data.output_selector, 'output_selector', 'iteration-output');
  },
  role: 'container',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
