import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of an assigner node (v2 `items`, or the v1 single assignment). */
export const AssignerNodeDataSchema = NodeDataCommonSchema.extend({
  items: z
    .array(z.object({ input_type: z.string().nullish(), operation: z.string().nullish(), variable_selector: z.unknown() }).passthrough())
    .nullish(),
}).passthrough();

/** Typed view of an assigner node's data. */
export type AssignerNodeData = z.infer<typeof AssignerNodeDataSchema>;

/** The assigner node: writes conversation or loop variables; it has no outputs of its own. */
export const ASSIGNER_NODE_CONTRACT = {
  dataSchema: AssignerNodeDataSchema,
  outputs: [],
  readReferences: (data, read) => {
    asList(data.items).forEach((item, i) => {
      const entry = asRecord(item);
      read.selector(entry.variable_selector, `items[${i}].variable_selector`);
      if (entry.input_type === 'variable') read.selector(entry.value, `items[${i}].value`);
    });
    // Version 1 of the assigner wrote one assignment without `items`.
    read.selector(data.assigned_variable_selector, 'assigned_variable_selector');
    read.selector(data.input_variable_selector, 'input_variable_selector');
  },
  role: 'step',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
