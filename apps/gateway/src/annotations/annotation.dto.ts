import { ANNOTATION_TEXT_MAX, AnnotationJobDetailSchema, AnnotationJobSchema, AnnotationRecordSchema } from '@weft/contracts';
import { z } from 'zod';
import { numberedPage } from '../docs/common.dto';

/** A required text field, with Dify's wording when it is missing or not a string. */
const text = (name: string) =>
  z
    .string({ invalid_type_error: `${name} must be a string`, required_error: `${name} is required` })
    .max(ANNOTATION_TEXT_MAX, `${name} must be at most ${ANNOTATION_TEXT_MAX} characters`);

/** `GET /v1/apps/annotations`: Dify's page and limit (from 1), and a keyword searched in questions and answers. */
export const AnnotationListQuerySchema = z.object({
  keyword: z.string().max(1000).default('').describe('Only annotations whose question or answer contains it (case-insensitive).'),
  limit: z.coerce.number().int().min(1).max(10_000).default(20).describe('Page size; a page holds at most 100 annotations, as in Dify.'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
export type AnnotationListQuery = z.infer<typeof AnnotationListQuerySchema>;

/** Dify's numbered page of annotations: `has_more` is true when the page is full. */
export const AnnotationPageResponseSchema = numberedPage(AnnotationRecordSchema);
export type AnnotationPage = z.infer<typeof AnnotationPageResponseSchema>;

/** `POST /v1/apps/annotations` and `PUT /v1/apps/annotations/{annotation_id}`. */
export const AnnotationRequestSchema = z.object({ answer: text('answer'), question: text('question') });
export type AnnotationRequest = z.infer<typeof AnnotationRequestSchema>;

const THRESHOLD = 'score_threshold must be a number';
const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const name = (field: string) =>
  z
    .string({ invalid_type_error: `${field} must be a string`, required_error: `${field} is required` })
    .max(255, `${field} must be at most 255 characters`);

/**
 * `POST /v1/apps/annotation-reply/{action}`: Dify asks the same three fields for `enable` and `disable`. A threshold
 * may come as a numeric string (Dify reads it as a float).
 */
export const AnnotationReplyRequestSchema = z.object({
  embedding_model_name: name('embedding_model_name'),
  embedding_provider_name: name('embedding_provider_name'),
  score_threshold: z.preprocess(
    (v) => (typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : v),
    z.number({ invalid_type_error: THRESHOLD, required_error: 'score_threshold is required' }).finite(THRESHOLD),
  ),
});
export type AnnotationReplyRequest = z.infer<typeof AnnotationReplyRequestSchema>;

export const AnnotationRecordResponseSchema = AnnotationRecordSchema;
export const AnnotationJobResponseSchema = AnnotationJobSchema;
export type AnnotationJobResponse = z.infer<typeof AnnotationJobResponseSchema>;
export const AnnotationJobStatusResponseSchema = AnnotationJobDetailSchema;
export type AnnotationJobStatusResponse = z.infer<typeof AnnotationJobStatusResponseSchema>;
