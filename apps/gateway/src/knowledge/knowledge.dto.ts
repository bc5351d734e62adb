import { DocumentErrors, DomainError } from '@weft/contracts';
import { z } from 'zod';
import { epochSeconds, numberedPage } from '../docs/common.dto';
import { readUploadForm, type IncomingFile, type UploadRequest } from '../files/upload-file.dto';

const page = z.coerce.number().int().min(1).max(100_000).default(1);
const limit = z.coerce.number().int().min(1).max(100).default(20);

const tagId = z.string().max(100);

/** `GET /v1/datasets`: `tag_ids` may repeat (`?tag_ids=a&tag_ids=b`), as Dify reads it. */
export const DatasetsQuerySchema = z.object({
  include_all: z.string().optional(),
  keyword: z.string().max(255).optional(),
  limit,
  page,
  tag_ids: z.union([tagId, z.array(tagId).max(100)]).optional(),
});
export type DatasetsQuery = z.infer<typeof DatasetsQuerySchema>;

/** The `tag_ids` of a dataset list query as a list (absent or empty: no filter). */
export function queryTagIds(query: Pick<DatasetsQuery, 'tag_ids'>): string[] {
  const ids = query.tag_ids === undefined ? [] : Array.isArray(query.tag_ids) ? query.tag_ids : [query.tag_ids];
  return ids.filter((id) => id !== '');
}

/** `GET /v1/datasets/{id}/documents`. */
export const DocumentsQuerySchema = z.object({
  keyword: z.string().max(255).optional(),
  limit,
  page,
  status: z.string().max(50).optional(),
});
export type DocumentsQuery = z.infer<typeof DocumentsQuerySchema>;

/** `GET …/segments`: `status` may repeat. */
export const SegmentsQuerySchema = z.object({
  keyword: z.string().max(255).optional(),
  limit,
  page,
  status: z.union([z.string().max(50), z.array(z.string().max(50)).max(10)]).optional(),
});
export type SegmentsQuery = z.infer<typeof SegmentsQuerySchema>;

/** create-by-text / update-by-text: `name` and `text` (optional on update) plus the document settings. */
export const TextDocumentSchema = z
  .object({
    name: z.string({ invalid_type_error: 'name must be a string' }).trim().min(1, 'name is required').max(255),
    text: z
      .string({ invalid_type_error: 'text must be a string' })
      .min(1, 'text is required')
      .max(15 * 1024 * 1024),
  })
  .passthrough();
export const TextDocumentUpdateSchema = TextDocumentSchema.partial().passthrough();
export type TextDocument = z.infer<typeof TextDocumentUpdateSchema>;

/** The `data` form field of create-by-file: a JSON string with the document settings. */
export function readDataField(body: unknown): Record<string, unknown> {
  const raw = (body as Record<string, unknown> | undefined)?.['data'];
  if (raw === undefined || raw === '') return {};
  if (typeof raw !== 'string') throw new Error('data must be a JSON string');
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('data must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The document settings of create-by-file / update-by-file, from the `data` field (a bad one answers 400). */
export function readDocumentSettings(body: unknown): Record<string, unknown> {
  try {
    return readDataField(body);
  } catch (error) {
    throw new DomainError('invalid_param', `data: ${(error as Error).message}`);
  }
}

/** The file parts and form fields of a multipart create-by-file / update-by-file request. */
export function toUploadRequest(files: Express.Multer.File[] | undefined, body: unknown, contentType: string | undefined): UploadRequest {
  const incoming = (files ?? []).map((f): IncomingFile => ({
    buffer: f.buffer,
    fieldName: f.fieldname,
    mimeType: f.mimetype,
    originalName: f.originalname || undefined,
  }));
  return { files: incoming, ...readUploadForm(body, /^multipart\//i.test(contentType ?? '')) };
}

/**
 * The form of create-by-file / update-by-file, for the OpenAPI document only (the upload interceptor reads
 * it): the file and, in `data`, the create-by-text settings as a JSON string.
 */
export const UploadDocumentFormOpenApi = {
  properties: {
    data: { description: 'The document settings of create-by-text (without name and text), as a JSON string.', type: 'string' },
    file: { format: 'binary', type: 'string' },
  },
  required: ['file'],
  type: 'object',
};

/**
 * The body of routes whose fields the rag service checks (datasets, metadata): the gateway only makes sure
 * it is a JSON object. Not a zod parse on purpose: parseBody reads a missing body as `{}`, and these routes
 * answer a missing body with this message.
 */
export function requireJsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new DomainError('invalid_param', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** `POST /v1/datasets` as Dify documents it; documented here, checked by the rag service. */
export const CreateDatasetBodySchema = z.object({
  description: z.string().max(400).optional(),
  embedding_model: z.string().max(255).nullish(),
  embedding_model_provider: z.string().max(255).nullish(),
  indexing_technique: z.enum(['high_quality', 'economy']).nullish(),
  name: z.string().min(1).max(40),
  permission: z.enum(['only_me', 'all_team_members', 'partial_members']).optional(),
  provider: z.enum(['vendor', 'external']).optional(),
  retrieval_model: z.record(z.string(), z.unknown()).optional(),
});

/** `PATCH /v1/datasets/{id}`; documented here, checked by the rag service. */
export const UpdateDatasetBodySchema = CreateDatasetBodySchema.omit({ provider: true }).partial();

/** `POST /v1/datasets/{id}/metadata`; documented here, checked by the rag service. */
export const CreateMetadataBodySchema = z.object({ name: z.string().min(1).max(255), type: z.enum(['string', 'number', 'time']) });

/** `PATCH /v1/datasets/{id}/metadata/{metadata_id}`; documented here, checked by the rag service. */
export const RenameMetadataBodySchema = z.object({ name: z.string().min(1).max(255) });

/** `POST /v1/datasets/{id}/documents/metadata`: each document's metadata values; documented here, checked by the rag service. */
export const DocumentMetadataBodySchema = z.object({
  operation_data: z
    .array(
      z.object({
        document_id: z.string().max(100),
        metadata_list: z
          .array(z.object({ id: z.string().max(100), name: z.string().max(255), value: z.union([z.string().nullable(), z.number()]) }))
          .max(100),
      }),
    )
    .min(1)
    .max(1000),
});

const tagName = z.string().min(1).max(50);

/** `POST /v1/datasets/tags`; documented here, checked by the rag service. */
export const CreateTagBodySchema = z.object({ name: tagName });

/** `PATCH /v1/datasets/tags`; documented here, checked by the rag service. */
export const UpdateTagBodySchema = z.object({ name: tagName, tag_id: z.string() });

/** `DELETE /v1/datasets/tags`; documented here, checked by the rag service. */
export const DeleteTagBodySchema = z.object({ tag_id: z.string() });

/** `POST /v1/datasets/tags/binding`: at least one tag; documented here, checked by the rag service. */
export const BindTagsBodySchema = z.object({ tag_ids: z.array(z.string()).min(1).max(100), target_id: z.string() });

/** `POST /v1/datasets/tags/unbinding`: `tag_ids`, or Dify's legacy `tag_id`; documented here, checked by the rag service. */
export const UnbindTagsBodySchema = z.object({
  tag_id: z.string().optional().describe('Legacy single tag id; use tag_ids.'),
  tag_ids: z.array(z.string()).max(100).optional(),
  target_id: z.string(),
});

/** The actions of `PATCH /v1/datasets/{id}/documents/status/{action}`. */
export const DOCUMENT_ACTIONS = ['enable', 'disable', 'archive', 'un_archive'] as const;
export type DocumentAction = (typeof DOCUMENT_ACTIONS)[number];

/** The document status action named in the path (400 for any other). */
export function requireDocumentAction(action: string): DocumentAction {
  if (!(DOCUMENT_ACTIONS as readonly string[]).includes(action)) throw DocumentErrors.invalidAction(action);
  return action as DocumentAction;
}

/** The action of `POST /v1/datasets/{id}/metadata/built-in/{action}` (400 for any other). */
export function requireBuiltInAction(action: string): 'enable' | 'disable' {
  if (action !== 'enable' && action !== 'disable') throw DocumentErrors.invalidAction(action);
  return action;
}

/** `PATCH /v1/datasets/{id}/documents/status/{action}`. */
export const DocumentStatusSchema = z.object({ document_ids: z.array(z.string().max(100)).min(1).max(100) });

/** `POST …/segments`. */
export const CreateSegmentsSchema = z.object({
  segments: z
    .array(
      z.object({
        answer: z.string().max(100_000).nullish(),
        content: z.string().min(1, 'content is required').max(100_000),
        keywords: z.array(z.string().max(200)).max(100).nullish(),
      }),
    )
    .min(1)
    .max(100),
});
export type CreateSegments = z.infer<typeof CreateSegmentsSchema>;

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
export type UpdateSegment = z.infer<typeof UpdateSegmentSchema>;

/** `GET …/segments/{segment_id}/child_chunks`. */
export const ChildChunksQuerySchema = z.object({ keyword: z.string().max(255).optional(), limit, page });
export type ChildChunksQuery = z.infer<typeof ChildChunksQuerySchema>;

/** `POST …/child_chunks` and `PATCH …/child_chunks/{child_chunk_id}`. */
export const ChildChunkSchema = z.object({
  content: z
    .string({ invalid_type_error: 'content must be a string', required_error: 'content is required' })
    .min(1, 'content is required')
    .max(100_000),
});

/** `POST /v1/datasets/{id}/retrieve`. */
export const RetrieveSchema = z.object({
  query: z
    .string({ invalid_type_error: 'query must be a string', required_error: 'query is required' })
    .min(1, 'query is required')
    .max(10_000),
  retrieval_model: z.record(z.string(), z.unknown()).nullish(),
});
export type RetrieveRequest = z.infer<typeof RetrieveSchema>;

// Responses: Dify's objects as the rag service writes them (apps/rag: toDatasetResponse, toDocumentResponse,
// toSegmentResponse, …). The gateway relays them unchanged; these schemas document them and the end-to-end
// tests check every real answer against them.

/** A metadata field of a dataset. */
export const MetadataFieldSchema = z.object({ id: z.string().uuid(), name: z.string(), type: z.string() });
export type MetadataField = z.infer<typeof MetadataFieldSchema>;

/** A field in a dataset's or document's `doc_metadata`: the built-in fields have the id "built-in". */
const DocMetadataEntrySchema = z.object({ id: z.union([z.string().uuid(), z.literal('built-in')]), name: z.string(), type: z.string() });

/** `GET /v1/datasets/metadata/built-in`: Dify's built-in metadata fields. */
export const BuiltInFieldsSchema = z.object({ fields: z.array(z.object({ name: z.string(), type: z.enum(['string', 'time']) })) });
export type BuiltInFields = z.infer<typeof BuiltInFieldsSchema>;

/** A knowledge tag; `binding_count` is a string, as Dify's Service API documents it. */
export const KnowledgeTagSchema = z.object({
  binding_count: z.string().nullable(),
  id: z.string().uuid(),
  name: z.string(),
  type: z.literal('knowledge'),
});
export type KnowledgeTag = z.infer<typeof KnowledgeTagSchema>;
/** `GET /v1/datasets/tags`: every knowledge tag of the workspace, newest first (a bare list, as Dify answers). */
export const KnowledgeTagListSchema = z.array(KnowledgeTagSchema);
export type KnowledgeTagList = z.infer<typeof KnowledgeTagListSchema>;
/** `GET /v1/datasets/{id}/tags`: the tags bound to the dataset. */
export const DatasetTagsSchema = z.object({
  data: z.array(z.object({ id: z.string().uuid(), name: z.string() })),
  total: z.number().int(),
});
export type DatasetTags = z.infer<typeof DatasetTagsSchema>;

/**
 * `GET /v1/datasets/{id}/documents/{document_id}/upload-file`: the file the document was made from.
 * `url` is a signed link to it (valid for FILES_ACCESS_TIMEOUT seconds), `download_url` the same as an
 * attachment; both are relative to the gateway unless FILES_URL is set. `created_at` is float seconds.
 */
export const DocumentUploadFileSchema = z.object({
  created_at: z.number(),
  created_by: z.string().nullable(),
  download_url: z.string(),
  extension: z.string(),
  id: z.string().uuid(),
  mime_type: z.string(),
  name: z.string(),
  size: z.number().int(),
  url: z.string(),
});
export type DocumentUploadFile = z.infer<typeof DocumentUploadFileSchema>;

/** `GET /v1/datasets/{id}/metadata`: the fields, each with how many documents have a value for it. */
export const MetadataListSchema = z.object({
  built_in_field_enabled: z.boolean(),
  doc_metadata: z.array(MetadataFieldSchema.extend({ count: z.number().int() })),
});
export type MetadataList = z.infer<typeof MetadataListSchema>;

/** Dify's `Dataset`. */
export const DatasetResponseSchema = z.object({
  app_count: z.number().int(),
  author_name: z.string(),
  built_in_field_enabled: z.boolean(),
  chunk_structure: z.string().nullable(),
  created_at: epochSeconds,
  created_by: z.string().nullable(),
  data_source_type: z.string().nullable(),
  description: z.string(),
  doc_form: z.string().nullable(),
  /** The user's metadata fields, then (while enabled) the built-in ones. */
  doc_metadata: z.array(DocMetadataEntrySchema),
  document_count: z.number().int(),
  embedding_available: z.boolean(),
  embedding_model: z.string().nullable(),
  embedding_model_provider: z.string().nullable(),
  enable_api: z.boolean(),
  external_knowledge_info: z.object({
    external_knowledge_api_endpoint: z.string().nullable(),
    external_knowledge_api_id: z.string().nullable(),
    external_knowledge_api_name: z.string().nullable(),
    external_knowledge_id: z.string().nullable(),
  }),
  external_retrieval_model: z.object({ score_threshold: z.number(), score_threshold_enabled: z.boolean(), top_k: z.number().int() }),
  icon_info: z.object({ icon: z.string(), icon_background: z.string().nullable(), icon_type: z.string(), icon_url: z.string().nullable() }),
  id: z.string().uuid(),
  indexing_technique: z.string().nullable(),
  is_multimodal: z.boolean(),
  is_published: z.boolean(),
  name: z.string(),
  partial_member_list: z.array(z.unknown()),
  permission: z.string(),
  pipeline_id: z.string().nullable(),
  provider: z.string(),
  /** The dataset's retrieval model with Dify's defaults (search_method, top_k, reranking, …). */
  retrieval_model_dict: z.record(z.string(), z.unknown()),
  runtime_mode: z.string(),
  summary_index_setting: z.unknown(),
  /** The knowledge tags bound to the dataset. */
  tags: z.array(z.object({ id: z.string().uuid(), name: z.string(), type: z.literal('knowledge') })),
  total_available_documents: z.number().int(),
  total_documents: z.number().int(),
  updated_at: epochSeconds,
  updated_by: z.string().nullable(),
  word_count: z.number().int(),
});
export type DatasetResponse = z.infer<typeof DatasetResponseSchema>;
export const DatasetPageSchema = numberedPage(DatasetResponseSchema);
export type DatasetPage = z.infer<typeof DatasetPageSchema>;

/** Where a document is in indexing. */
const IndexingStatusValue = z.enum(['waiting', 'parsing', 'cleaning', 'splitting', 'indexing', 'completed', 'error', 'paused']);

/** Dify's `Document`. */
export const DocumentResponseSchema = z.object({
  archived: z.boolean(),
  created_at: epochSeconds,
  created_by: z.string().nullable(),
  created_from: z.string(),
  data_source_detail_dict: z.record(z.string(), z.unknown()),
  data_source_info: z.record(z.string(), z.unknown()).nullable(),
  data_source_type: z.string(),
  dataset_process_rule_id: z.string().nullable(),
  disabled_at: epochSeconds.nullable(),
  disabled_by: z.string().nullable(),
  display_status: z.enum(['queuing', 'indexing', 'paused', 'error', 'available', 'disabled', 'archived']),
  doc_form: z.string(),
  doc_language: z.string(),
  /** Values of the user's fields the document has, then (while the dataset has them enabled) the built-in fields. */
  doc_metadata: z.array(DocMetadataEntrySchema.extend({ value: z.unknown() })),
  enabled: z.boolean(),
  error: z.string().nullable(),
  hit_count: z.number().int(),
  id: z.string().uuid(),
  indexing_status: IndexingStatusValue,
  name: z.string(),
  need_summary: z.boolean(),
  position: z.number().int(),
  summary_index_status: z.string().nullable(),
  tokens: z.number().int(),
  word_count: z.number().int(),
});
export const DocumentPageSchema = numberedPage(DocumentResponseSchema);
export type DocumentPage = z.infer<typeof DocumentPageSchema>;
export type DocumentResponse = z.infer<typeof DocumentResponseSchema>;

/** create-by-text / create-by-file and their updates: the document and the batch to poll its indexing with. */
export const DocumentCreatedSchema = z.object({ batch: z.string(), document: DocumentResponseSchema });
export type DocumentCreated = z.infer<typeof DocumentCreatedSchema>;

/** `GET …/documents/{batch}/indexing-status`: one entry per document of the batch, timestamps as float seconds. */
export const IndexingStatusSchema = z.object({
  data: z.array(
    z.object({
      cleaning_completed_at: z.number().nullable(),
      completed_at: z.number().nullable(),
      completed_segments: z.number().int(),
      error: z.string().nullable(),
      id: z.string().uuid(),
      indexing_status: IndexingStatusValue,
      parsing_completed_at: z.number().nullable(),
      paused_at: z.number().nullable(),
      processing_started_at: z.number().nullable(),
      splitting_completed_at: z.number().nullable(),
      stopped_at: z.number().nullable(),
      total_segments: z.number().int(),
    }),
  ),
});
export type IndexingStatus = z.infer<typeof IndexingStatusSchema>;

/** Dify's `ChildChunk`, of a parent-child segment. */
export const ChildChunkResponseSchema = z.object({
  content: z.string(),
  created_at: epochSeconds,
  id: z.string().uuid(),
  position: z.number().int(),
  segment_id: z.string().uuid(),
  type: z.string(),
  updated_at: epochSeconds,
  word_count: z.number().int(),
});

/** Dify's `Segment` (a chunk); `child_chunks` is filled for parent-child documents cut into paragraphs. */
export const SegmentResponseSchema = z.object({
  answer: z.string().nullable(),
  attachments: z.array(z.unknown()),
  child_chunks: z.array(ChildChunkResponseSchema),
  completed_at: epochSeconds.nullable(),
  content: z.string(),
  created_at: epochSeconds,
  created_by: z.string().nullable(),
  disabled_at: epochSeconds.nullable(),
  disabled_by: z.string().nullable(),
  document_id: z.string().uuid(),
  enabled: z.boolean(),
  error: z.string().nullable(),
  hit_count: z.number().int(),
  id: z.string().uuid(),
  index_node_hash: z.string(),
  index_node_id: z.string(),
  indexing_at: epochSeconds,
  keywords: z.array(z.string()),
  position: z.number().int(),
  sign_content: z.string(),
  status: z.string(),
  stopped_at: epochSeconds.nullable(),
  summary: z.string().nullable(),
  tokens: z.number().int(),
  updated_at: epochSeconds,
  updated_by: z.string().nullable(),
  word_count: z.number().int(),
});

/** `POST …/segments`: the segments added, with the document's form. */
export const SegmentsCreatedSchema = z.object({ data: z.array(SegmentResponseSchema), doc_form: z.string() });
export type SegmentsCreated = z.infer<typeof SegmentsCreatedSchema>;
/** `GET …/segments`: a page of segments, with the document's form. */
export const SegmentPageSchema = numberedPage(SegmentResponseSchema).extend({ doc_form: z.string() });
export type SegmentPage = z.infer<typeof SegmentPageSchema>;
/** One segment (read or edited), with the document's form. */
export const SegmentAnswerSchema = z.object({ data: SegmentResponseSchema, doc_form: z.string() });
export type SegmentAnswer = z.infer<typeof SegmentAnswerSchema>;

/** `GET …/child_chunks`: Dify pages child chunks with `total_pages` (and no `has_more`). */
export const ChildChunkPageSchema = z.object({
  data: z.array(ChildChunkResponseSchema),
  limit: z.number().int(),
  page: z.number().int(),
  total: z.number().int(),
  total_pages: z.number().int(),
});
export type ChildChunkPage = z.infer<typeof ChildChunkPageSchema>;
/** A child chunk added or edited. */
export const ChildChunkAnswerSchema = z.object({ data: ChildChunkResponseSchema });
export type ChildChunkAnswer = z.infer<typeof ChildChunkAnswerSchema>;

/** `POST /v1/datasets/{id}/retrieve`: the query and the records found, best first. */
export const RetrieveResponseSchema = z.object({
  query: z.object({ content: z.string() }),
  records: z.array(
    z.object({
      /** Parent-child datasets: the child chunks of the segment that matched. */
      child_chunks: z.array(z.object({ content: z.string(), id: z.string().uuid(), position: z.number().int(), score: z.number() })),
      files: z.array(z.unknown()),
      score: z.number(),
      segment: SegmentResponseSchema.extend({
        dataset_id: z.string().uuid(),
        document: z.object({
          data_source_type: z.string(),
          dataset_name: z.string().nullable(),
          doc_metadata: z.record(z.string(), z.unknown()),
          doc_type: z.string().nullable(),
          id: z.string().uuid(),
          name: z.string(),
        }),
      }),
      summary: z.string().nullable(),
      tsne_position: z.unknown(),
    }),
  ),
});
export type RetrieveResponse = z.infer<typeof RetrieveResponseSchema>;
