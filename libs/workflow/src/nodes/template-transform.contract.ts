import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of a template-transform node. */
export const TemplateTransformNodeDataSchema = NodeDataCommonSchema.extend({
  template: z.string(),
  variables: z.array(z.object({ value_selector: z.unknown(), variable: z.string() }).passthrough()).nullish(),
}).passthrough();

/** Typed view of a template-transform node's data. */
export type TemplateTransformNodeData = z.infer<typeof TemplateTransformNodeDataSchema>;

/** The template-transform node: a Jinja2 template over its declared variables. */
export const TEMPLATE_TRANSFORM_NODE_CONTRACT = {
  dataSchema: TemplateTransformNodeDataSchema,
  outputs: [{ name: 'output', type: 'string' }],
  readReferences: (data, read) => {
    asList(data.variables).forEach((variable, i) => read.selector(asRecord(variable).value_selector, `variables[${i}].value_selector`));
  },
  role: 'step',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
