import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of a variable-aggregator node (and of the legacy variable-assigner, which is the same node). */
export const VariableAggregatorNodeDataSchema = NodeDataCommonSchema.extend({
  advanced_settings: z
    .object({
      group_enabled: z.boolean().nullish(),
      groups: z.array(z.object({ group_name: z.string().min(1), variables: z.array(z.unknown()).nullish() }).passthrough()).nullish(),
    })
    .passthrough()
    .nullish(),
  variables: z.array(z.unknown()).nullish(),
}).passthrough();

/** Typed view of a variable-aggregator node's data. */
export type VariableAggregatorNodeData = z.infer<typeof VariableAggregatorNodeDataSchema>;

/**
 * The variable-aggregator node: the first of its variables that has a value. It is also the contract of
 * `variable-assigner`, the same node under its name before Dify 0.6.
 */
export const VARIABLE_AGGREGATOR_NODE_CONTRACT = {
  dataSchema: VariableAggregatorNodeDataSchema,
  outputNames: (data) => {
    const settings = asRecord(data.advanced_settings);
    // With groups on, each group is an object `{output}`, read as `[node, group, output]`.
    if (settings.group_enabled === true) return asList(settings.groups).map((group) => String(asRecord(group).group_name));
    return ['output'];
  },
  outputs: [{ name: 'output', type: 'any' }],
  readReferences: (data, read) => {
    const settings = asRecord(data.advanced_settings);
    if (settings.group_enabled === true) {
      asList(settings.groups).forEach((group, g) =>
        asList(asRecord(group).variables).forEach((variable, i) =>
          read.selector(variable, `advanced_settings.groups[${g}].variables[${i}]`),
        ),
      );
    } else {
      asList(data.variables).forEach((variable, i) => read.selector(variable, `variables[${i}]`));
    }
  },
  role: 'step',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
