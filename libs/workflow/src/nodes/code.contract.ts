import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of a code node; `outputs` declares what the node produces. */
export const CodeNodeDataSchema = NodeDataCommonSchema.extend({
  code: z.string(),
  code_language: z.string().nullish(),
  outputs: z.record(z.object({ type: z.string() }).passthrough().nullable()).nullish(),
  variables: z.array(z.object({ value_selector: z.unknown(), variable: z.string() }).passthrough()).nullish(),
}).passthrough();

/** Typed view of a code node's data. */
export type CodeNodeData = z.infer<typeof CodeNodeDataSchema>;

/** The code node: user Python or JavaScript in the sandbox; its outputs are the ones its data declares. */
export const CODE_NODE_CONTRACT = {
  dataSchema: CodeNodeDataSchema,
  outputNames: (data) => Object.keys(asRecord(data.outputs)),
  outputs: [],
  readReferences: (data, read) => {
    asList(data.variables).forEach((variable, i) => read.selector(asRecord(variable).value_selector, `variables[${i}].value_selector`));
  },
  role: 'step',
  runsIn: 'node-runner',
} as const satisfies NodeTypeContract;
