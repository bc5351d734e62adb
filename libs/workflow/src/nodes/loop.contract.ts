import { z } from 'zod';
import { DslConditionSchema, NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeData } from '../dsl/dsl.types';
import type { NodeTypeContract } from './node-type.types';

/** `data` of a loop node; its loop variables are its outputs. */
export const LoopNodeDataSchema = NodeDataCommonSchema.extend({
  break_conditions: z.array(DslConditionSchema).nullish(),
  logical_operator: z.enum(['and', 'or']).nullish(),
  loop_count: z.number().int().min(0).nullish(),
  loop_variables: z
    .array(z.object({ label: z.string().min(1), value_type: z.string().nullish(), var_type: z.string().nullish() }).passthrough())
    .nullish(),
  start_node_id: z.union([z.string(), z.number()]).nullish(),
}).passthrough();

/** Typed view of a loop node's data. */
export type LoopNodeData = z.infer<typeof LoopNodeDataSchema>;

function loopVariables(data: NodeData): string[] {
  return asList(data.loop_variables).map((variable) => String(asRecord(variable).label));
}

/** The loop node: runs its body until its break conditions hold, a loop-end node runs, or `loop_count` rounds. */
export const LOOP_NODE_CONTRACT = {
  bodyStart: 'loop-start',
  conditionLists: (data) => [
    { conditions: asList(data.break_conditions), path: 'data.break_conditions', where: ' in its break conditions' },
  ],
  dataSchema: LoopNodeDataSchema,
  insideOutputs: loopVariables,
  outputNames: (data) => [...loopVariables(data), 'loop_round'],
  outputs: [{ name: 'loop_round', type: 'number' }],
  readReferences: (data, read) => {
    asList(data.loop_variables).forEach((variable, i) => {
      const entry = asRecord(variable);
      if (entry.value_type === 'variable') read.selector(entry.value, `loop_variables[${i}].value`);
    });
    read.conditions(data.break_conditions, 'break_conditions', 'loop-break');
  },
  role: 'container',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
