import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of a start node. */
export const StartNodeDataSchema = NodeDataCommonSchema.extend({
  variables: z.array(z.object({ type: z.string().nullish(), variable: z.string().min(1) }).passthrough()).nullish(),
}).passthrough();

/** Typed view of a start node's data. */
export type StartNodeData = z.infer<typeof StartNodeDataSchema>;

/** The start node: its outputs are the run's inputs, one per declared variable (and `sys.*`, read under `sys`). */
export const START_NODE_CONTRACT = {
  dataSchema: StartNodeDataSchema,
  outputNames: (data) => asList(data.variables).map((variable) => String(asRecord(variable).variable)),
  outputs: [],
  role: 'step',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
