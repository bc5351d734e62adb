import { z } from 'zod';

/**
 * Annotations of chat apps (Dify's "annotation reply"): question and answer pairs an app answers with
 * directly, without running its workflow, when a chat query is close enough to a question. The orchestrator
 * owns them (with their embeddings and the app's reply setting) beside the conversations they answer; the
 * gateway speaks Dify's Service API for them, and the rag service embeds their questions.
 */
const uuid = z.string().uuid();
const app = { appId: uuid, workspaceId: uuid };
/** Ids in paths arrive unchecked from clients: anything malformed simply matches nothing. */
const pathId = z.string().max(100);

/** The most a question or an answer may hold (characters). */
export const ANNOTATION_TEXT_MAX = 100_000;
const text = z.string().max(ANNOTATION_TEXT_MAX);

/** An annotation as Dify's Service API answers it (`created_at` in epoch seconds). */
export const AnnotationRecordSchema = z.object({
  answer: z.string(),
  created_at: z.number().int(),
  hit_count: z.number().int(),
  id: uuid,
  question: z.string(),
});
export type AnnotationRecord = z.infer<typeof AnnotationRecordSchema>;

/** A page of an app's annotations, newest first, optionally those whose question or answer holds `keyword`. */
export const ListAnnotationsRequestSchema = z.object({
  ...app,
  keyword: z.string().max(1000),
  limit: z.number().int().min(1).max(100),
  page: z.number().int().min(1),
});
export const AnnotationPageSchema = z.object({ data: z.array(AnnotationRecordSchema), total: z.number().int() });

/** `accountId` is who the annotation is written by (for the Service API: the workspace's owner, as in Dify). */
export const CreateAnnotationRequestSchema = z.object({ ...app, accountId: uuid.nullable(), answer: text, question: text });
export const UpdateAnnotationRequestSchema = z.object({ ...app, annotationId: pathId, answer: text, question: text });
export const DeleteAnnotationRequestSchema = z.object({ ...app, annotationId: pathId });
export const DeleteAnnotationResponseSchema = z.object({ deleted: z.boolean() });

/** Dify's job states of enabling or disabling annotation reply. */
export const ANNOTATION_JOB_STATUSES = ['waiting', 'processing', 'completed', 'error'] as const;
export type AnnotationJobStatus = (typeof ANNOTATION_JOB_STATUSES)[number];

/**
 * Enables (embedding every question with the named model, then answering matching queries) or disables an
 * app's annotation reply, as a job; `action` is checked by the owner (Dify refuses any other word).
 */
export const AnnotationReplyRequestSchema = z.object({
  ...app,
  accountId: uuid.nullable(),
  action: z.string().max(100),
  embeddingModel: z.string().max(255),
  embeddingProvider: z.string().max(255),
  scoreThreshold: z.number(),
});
export const AnnotationJobSchema = z.object({ job_id: uuid, job_status: z.enum(ANNOTATION_JOB_STATUSES) });
/**
 * An app's annotation reply setting as Dify's `/v1/parameters` shows it (`annotation_reply`): off, or on with the
 * embedding model and score threshold the last finished `enable` job set.
 */
export const AnnotationSettingRequestSchema = z.object(app);
export const AnnotationSettingSchema = z.union([
  z.object({ enabled: z.literal(false) }),
  z.object({
    embedding_model: z.object({ embedding_model_name: z.string(), embedding_provider_name: z.string() }),
    enabled: z.literal(true),
    score_threshold: z.number(),
  }),
]);
export type AnnotationSetting = z.infer<typeof AnnotationSettingSchema>;

export const AnnotationJobStatusRequestSchema = z.object({ ...app, action: z.string().max(100), jobId: pathId });
export const AnnotationJobDetailSchema = AnnotationJobSchema.extend({ error_msg: z.string() });

/**
 * `kb.embed.v1`: texts embedded with a workspace's model (its stored provider credentials). Each vector is
 * the base64 of its little-endian float32 values (pgvector's precision), so a batch stays small on the bus;
 * `modelKey` names the model's vector space (vectors of one key are comparable). No texts asks for the key alone.
 */
export const EmbedRequestSchema = z.object({
  model: z.string().min(1).max(255),
  provider: z.string().min(1).max(255),
  texts: z.array(z.string().max(ANNOTATION_TEXT_MAX)).max(64),
  workspaceId: uuid,
});
export const EmbedResponseSchema = z.object({ modelKey: z.string().max(500), vectors: z.array(z.string()) });

/** A vector as `kb.embed.v1` carries it: base64 of little-endian float32. */
export function encodeVector(values: readonly number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buffer.writeFloatLE(v, i * 4));
  return buffer.toString('base64');
}

/** The numbers of a vector `encodeVector` wrote. */
export function decodeVector(encoded: string): number[] {
  const buffer = Buffer.from(encoded, 'base64');
  if (buffer.length % 4 !== 0) throw new Error('An encoded vector must be a whole number of float32 values');
  return Array.from({ length: buffer.length / 4 }, (_, i) => buffer.readFloatLE(i * 4));
}

/** What answered a chat turn instead of its workflow: the annotation, who wrote it, and its answer. */
export const AnnotationReplySchema = z.object({ accountId: uuid.nullable(), annotationId: uuid, answer: z.string() });
export type AnnotationReply = z.infer<typeof AnnotationReplySchema>;
