import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import type { NodeTypeContract } from './node-type.types';

/** `data` of a question-classifier node; each class `id` is the handle of the edge it takes. */
export const QuestionClassifierNodeDataSchema = NodeDataCommonSchema.extend({
  classes: z.array(z.object({ id: z.union([z.string().min(1), z.number()]), name: z.string().nullish() }).passthrough()),
}).passthrough();

/** Typed view of a question-classifier node's data. */
export type QuestionClassifierNodeData = z.infer<typeof QuestionClassifierNodeDataSchema>;

/** The question-classifier node: a model picks one of its classes, whose id names the edge taken. */
export const QUESTION_CLASSIFIER_NODE_CONTRACT = {
  dataSchema: QuestionClassifierNodeDataSchema,
  outputs: [
    { name: 'class_name', type: 'string' },
    { name: 'class_id', type: 'string' },
    { name: 'class_label', type: 'string' },
    { name: 'usage', type: 'object' },
  ],
  readReferences: (data, read) => {
    read.selector(data.query_variable_selector, 'query_variable_selector');
    read.template(data.instruction, 'instruction');
    read.vision(data);
  },
  role: 'step',
  runsIn: 'node-runner',
  sourceHandles: (data) => ({ handles: asList(data.classes).map((item) => String(asRecord(item).id)), kind: 'one of its classes' }),
} as const satisfies NodeTypeContract;
