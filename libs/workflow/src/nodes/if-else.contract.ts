import { z } from 'zod';
import { DslConditionSchema, NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** One case of an if-else node; its `case_id` is the handle of the edge it takes. */
export const IfElseCaseSchema = z
  .object({
    case_id: z.union([z.string().min(1), z.number()]),
    conditions: z.array(DslConditionSchema),
    logical_operator: z.enum(['and', 'or']).nullish(),
  })
  .passthrough();

/** `data` of an if-else node after the legacy single-case form has been normalized into `cases`. */
export const IfElseNodeDataSchema = NodeDataCommonSchema.extend({ cases: z.array(IfElseCaseSchema) }).passthrough();

/** Typed view of an if-else node's data. */
export type IfElseNodeData = z.infer<typeof IfElseNodeDataSchema>;

/** The if-else node: the first case that holds names the edge taken, otherwise "false". */
export const IF_ELSE_NODE_CONTRACT = {
  conditionLists: (data) =>
    asList(data.cases).map((item, c) => {
      const entry = asRecord(item);
      return { conditions: asList(entry.conditions), path: `data.cases[${c}].conditions`, where: ` in case "${String(entry.case_id)}"` };
    }),
  dataSchema: IfElseNodeDataSchema,
  outputs: [
    { name: 'result', type: 'boolean' },
    { name: 'selected_case_id', type: 'string' },
  ],
  readReferences: (data, read) => {
    asList(data.cases).forEach((item, i) => read.conditions(asRecord(item).conditions, `cases[${i}].conditions`, 'normal'));
  },
  role: 'step',
  runsIn: 'orchestrator',
  sourceHandles: (data) => ({
    handles: [...asList(data.cases).map((item) => String(asRecord(item).case_id)), 'false'],
    kind: 'one of its cases',
  }),
} as const satisfies NodeTypeContract;
