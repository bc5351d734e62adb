import { z } from 'zod';

const page = z.coerce.number().int().min(1).max(100_000).default(1);
const limit = z.coerce.number().int().min(1).max(100).default(20);

/** `GET /v1/datasets`. */
export const DatasetsQuerySchema = z.object({ include_all: z.string().optional(), keyword: z.string().max(255).optional(), limit, page });

/** `GET /v1/datasets/{id}/documents`. */
export const DocumentsQuerySchema = z.object({ keyword: z.string().max(255).optional(), limit, page, status: z.string().max(50).optional() });

/** `GET …/segments`: `status` may repeat. */
export const SegmentsQuerySchema = z.object({
  keyword: z.string().max(255).optional(),
  limit,
  page,
  status: z.union([z.string().max(50), z.array(z.string().max(50)).max(10)]).optional(),
});

/** create-by-text / update-by-text: `name` and `text` (optional on update) plus the document settings. */
export const TextDocumentSchema = z
  .object({
    name: z.string({ invalid_type_error: 'name must be a string' }).trim().min(1, 'name is required').max(255),
    text: z.string({ invalid_type_error: 'text must be a string' }).min(1, 'text is required').max(15 * 1024 * 1024),
  })
  .passthrough();
export const TextDocumentUpdateSchema = TextDocumentSchema.partial().passthrough();

/** The `data` form field of create-by-file: a JSON string with the document settings. */
export function readDataField(body: unknown): Record<string, unknown> {
  const raw = (body as Record<string, unknown> | undefined)?.['data'];
  if (raw === undefined || raw === '') return {};
  if (typeof raw !== 'string') throw new Error('data must be a JSON string');
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('data must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** `PATCH /v1/datasets/{id}/documents/status/{action}`. */
export const DocumentStatusSchema = z.object({ document_ids: z.array(z.string().max(100)).min(1).max(100) });

/** `POST …/segments`. */
export const CreateSegmentsSchema = z.object({
  segments: z.array(z.object({ answer: z.string().max(100_000).nullish(), content: z.string().min(1, 'content is required').max(100_000), keywords: z.array(z.string().max(200)).max(100).nullish() })).min(1).max(100),
});

/** `POST …/segments/{segment_id}`. */
export const UpdateSegmentSchema = z.object({
  segment: z.object({
    answer: z.string().max(100_000).nullish(),
    content: z.string().min(1).max(100_000).nullish(),
    enabled: z.boolean().nullish(),
    keywords: z.array(z.string().max(200)).max(100).nullish(),
    regenerate_child_chunks: z.boolean().nullish(),
  }),
});

/** `GET …/segments/{segment_id}/child_chunks`. */
export const ChildChunksQuerySchema = z.object({ keyword: z.string().max(255).optional(), limit, page });

/** `POST …/child_chunks` and `PATCH …/child_chunks/{child_chunk_id}`. */
export const ChildChunkSchema = z.object({
  content: z.string({ invalid_type_error: 'content must be a string', required_error: 'content is required' }).min(1, 'content is required').max(100_000),
});

/** `POST /v1/datasets/{id}/retrieve`. */
export const RetrieveSchema = z.object({
  query: z.string({ invalid_type_error: 'query must be a string', required_error: 'query is required' }).min(1, 'query is required').max(10_000),
  retrieval_model: z.record(z.string(), z.unknown()).nullish(),
});
