import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of an end node. */
export const EndNodeDataSchema = NodeDataCommonSchema.extend({
  outputs: z.array(z.object({ value_selector: z.unknown(), variable: z.string().min(1) }).passthrough()).nullish(),
}).passthrough();

/** Typed view of an end node's data. */
export type EndNodeData = z.infer<typeof EndNodeDataSchema>;

/** The end node: its declared outputs become the run's outputs; nothing after it can read them. */
export const END_NODE_CONTRACT = {
  dataSchema: EndNodeDataSchema,
  outputs: [],
  readReferences: (data, read) => {
    asList(data.outputs).forEach((output, i) => read.selector(asRecord(output).value_selector, `outputs[${i}].value_selector`));
  },
  role: 'step',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
