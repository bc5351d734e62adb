import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import type { NodeTypeContract } from './node-type.types';

/** `data` of an answer node. */
export const AnswerNodeDataSchema = NodeDataCommonSchema.extend({ answer: z.string() }).passthrough();

/** Typed view of an answer node's data. */
export type AnswerNodeData = z.infer<typeof AnswerNodeDataSchema>;

/** The answer node (chatflow): renders its template, streamed as `message` events. */
export const ANSWER_NODE_CONTRACT = {
  dataSchema: AnswerNodeDataSchema,
  outputs: [
    { name: 'answer', type: 'string' },
    { name: 'files', type: 'array[file]' },
  ],
  readReferences: (data, read) => read.template(data.answer, 'answer'),
  role: 'step',
  runsIn: 'orchestrator',
} as const satisfies NodeTypeContract;
