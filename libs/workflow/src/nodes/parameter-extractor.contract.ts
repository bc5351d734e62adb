import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeOutput, NodeTypeContract } from './node-type.types';

/** `data` of a parameter-extractor node; each parameter becomes an output. */
export const ParameterExtractorNodeDataSchema = NodeDataCommonSchema.extend({
  parameters: z.array(z.object({ name: z.string().min(1), type: z.string().nullish() }).passthrough()),
}).passthrough();

/** Typed view of a parameter-extractor node's data. */
export type ParameterExtractorNodeData = z.infer<typeof ParameterExtractorNodeDataSchema>;

const FIXED_OUTPUTS = [
  { name: '__is_success', type: 'number' },
  { name: '__reason', type: 'string' },
  { name: '__usage', type: 'object' },
] as const satisfies readonly NodeOutput[];

/** The parameter-extractor node: a model fills its declared parameters from the query. */
export const PARAMETER_EXTRACTOR_NODE_CONTRACT = {
  dataSchema: ParameterExtractorNodeDataSchema,
  outputNames: (data) => [
    ...asList(data.parameters).map((parameter) => String(asRecord(parameter).name)),
    ...FIXED_OUTPUTS.map((output) => output.name),
  ],
  outputs: FIXED_OUTPUTS,
  readReferences: (data, read) => {
    read.selector(data.query, 'query');
    read.template(data.instruction, 'instruction');
    read.vision(data);
  },
  role: 'step',
  runsIn: 'node-runner',
} as const satisfies NodeTypeContract;
