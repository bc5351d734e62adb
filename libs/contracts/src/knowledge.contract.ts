import { z } from 'zod';

const json = z.record(z.string(), z.unknown());
const uuid = z.string().uuid();
/** Ids in paths arrive unchecked from clients: anything malformed simply matches nothing. */
const pathId = z.string().max(100);

/**
 * Dify's built-in metadata fields, in Dify's order: while a dataset has them enabled, every document
 * carries them in its metadata (times as epoch seconds), and metadata filters reach them.
 */
export const BUILT_IN_METADATA_FIELDS: readonly { name: string; type: 'string' | 'time' }[] = [
  { name: 'document_name', type: 'string' },
  { name: 'uploader', type: 'string' },
  { name: 'upload_date', type: 'time' },
  { name: 'last_update_date', type: 'time' },
  { name: 'source', type: 'string' },
];

/** A Dify-shaped response object (Dataset, Document, Segment, …) passed through the gateway unchanged. */
export const KnowledgeObjectSchema = json;

/** A page of Dify objects: `{data, has_more, limit, total, page}`. */
export const KnowledgePageSchema = z.object({
  data: z.array(json),
  has_more: z.boolean(),
  limit: z.number(),
  page: z.number(),
  total: z.number(),
});

/** `POST /v1/datasets`, already validated by the gateway (Dify's field names). */
export const CreateDatasetRequestSchema = z.object({
  accountId: z.string().nullable(),
  body: json,
  workspaceId: uuid,
});

export const ListDatasetsRequestSchema = z.object({
  keyword: z.string().max(255).nullable(),
  limit: z.number().int().min(1).max(100),
  page: z.number().int().min(1).max(100_000),
  /** Dify's `tag_ids`: only datasets bound to every one of these knowledge tags (none given: no filter). */
  tagIds: z.array(pathId).max(100).default([]),
  workspaceId: uuid,
});

export const DatasetRequestSchema = z.object({ datasetId: pathId, workspaceId: uuid });
export const UpdateDatasetRequestSchema = z.object({ accountId: z.string().nullable(), body: json, datasetId: pathId, workspaceId: uuid });
export const DeletedResponseSchema = z.object({ deleted: z.boolean() });

/** An uploaded file a document is made from: where the gateway stored it and what it is. */
export const DocumentFileSchema = z.object({
  extension: z.string().max(20),
  mimeType: z.string().max(255),
  name: z.string().max(255),
  size: z.number().int().min(0),
  storageKey: z.string().min(1).max(1000),
  uploadFileId: uuid,
});
export type DocumentFile = z.infer<typeof DocumentFileSchema>;

/**
 * Creates a document (or, with `documentId`, replaces an existing one's content) from text or from an
 * uploaded file, and queues it for indexing. `body` holds the remaining Dify fields (process_rule,
 * doc_form, indexing_technique, …).
 */
export const CreateDocumentRequestSchema = z.object({
  accountId: z.string().nullable(),
  body: json,
  datasetId: pathId,
  documentId: pathId.nullable(),
  file: DocumentFileSchema.nullable(),
  name: z.string().max(255).nullable(),
  text: z.string().nullable(),
  /** The name of the account adding the document (Dify's built-in `uploader` metadata), when known. */
  uploader: z.string().max(255).nullable().default(null),
  workspaceId: uuid,
});
export const CreateDocumentResponseSchema = z.object({ batch: z.string(), document: json });

export const ListDocumentsRequestSchema = z.object({
  datasetId: pathId,
  keyword: z.string().max(255).nullable(),
  limit: z.number().int().min(1).max(100),
  page: z.number().int().min(1).max(100_000),
  status: z.string().max(50).nullable(),
  workspaceId: uuid,
});
export const DocumentRequestSchema = z.object({ datasetId: pathId, documentId: pathId, workspaceId: uuid });
export const IndexingStatusRequestSchema = z.object({ batch: z.string().max(100), datasetId: pathId, workspaceId: uuid });
export const IndexingStatusResponseSchema = z.object({ data: z.array(json) });
export const DocumentStatusRequestSchema = z.object({
  action: z.enum(['enable', 'disable', 'archive', 'un_archive']),
  datasetId: pathId,
  documentIds: z.array(pathId).min(1).max(100),
  workspaceId: uuid,
});

export const ListSegmentsRequestSchema = z.object({
  datasetId: pathId,
  documentId: pathId,
  keyword: z.string().max(255).nullable(),
  limit: z.number().int().min(1).max(100),
  page: z.number().int().min(1).max(100_000),
  status: z.array(z.string().max(50)).max(10),
  workspaceId: uuid,
});
export const CreateSegmentsRequestSchema = z.object({
  datasetId: pathId,
  documentId: pathId,
  segments: z
    .array(
      z.object({
        answer: z.string().max(100_000).nullish(),
        content: z.string().min(1).max(100_000),
        keywords: z.array(z.string().max(200)).max(100).nullish(),
      }),
    )
    .min(1)
    .max(100),
  workspaceId: uuid,
});
export const SegmentsResponseSchema = z.object({ data: z.array(json), doc_form: z.string() });
/** A page of segments, with the document's `doc_form` as Dify's list answers. */
export const SegmentPageSchema = KnowledgePageSchema.extend({ doc_form: z.string() });
export const SegmentRequestSchema = z.object({ datasetId: pathId, documentId: pathId, segmentId: pathId, workspaceId: uuid });
export const UpdateSegmentRequestSchema = z.object({
  datasetId: pathId,
  documentId: pathId,
  segment: z.object({
    answer: z.string().max(100_000).nullish(),
    content: z.string().min(1).max(100_000).nullish(),
    enabled: z.boolean().nullish(),
    keywords: z.array(z.string().max(200)).max(100).nullish(),
    /** Parent-child documents: cut the segment's child chunks again from its (new) content. */
    regenerate_child_chunks: z.boolean().nullish(),
  }),
  segmentId: pathId,
  workspaceId: uuid,
});
export const SegmentResponseSchema = z.object({ data: json, doc_form: z.string() });

/** Child chunks of a parent-child segment: `GET …/child_chunks` (Dify pages them with `total_pages`). */
export const ListChildChunksRequestSchema = z.object({
  datasetId: pathId,
  documentId: pathId,
  keyword: z.string().max(255).nullable(),
  limit: z.number().int().min(1).max(100),
  page: z.number().int().min(1).max(100_000),
  segmentId: pathId,
  workspaceId: uuid,
});
export const ChildChunkPageSchema = z.object({
  data: z.array(json),
  limit: z.number(),
  page: z.number(),
  total: z.number(),
  total_pages: z.number(),
});
/** Adds a child chunk (`childChunkId` null) or edits one: `{content}`. */
export const WriteChildChunkRequestSchema = z.object({
  childChunkId: pathId.nullable(),
  content: z.string().min(1).max(100_000),
  datasetId: pathId,
  documentId: pathId,
  segmentId: pathId,
  workspaceId: uuid,
});
export const ChildChunkRequestSchema = z.object({
  childChunkId: pathId,
  datasetId: pathId,
  documentId: pathId,
  segmentId: pathId,
  workspaceId: uuid,
});
export const ChildChunkResponseSchema = z.object({ data: json });

/** Searches datasets of one workspace; `retrievalModel` is Dify's object as sent (the dataset's default when null). */
export const RetrieveRequestSchema = z.object({
  datasetIds: z.array(pathId).min(1).max(50),
  /**
   * Dify's `metadata_filtering_conditions`, applied over whatever retrieval model each dataset uses (a
   * workflow's manual or model-made filter); replaces the retrieval model's own filter when given.
   */
  metadataFilter: json.nullish(),
  query: z.string().max(10_000),
  retrievalModel: json.nullable(),
  workspaceId: uuid,
});
/** Dify's retrieve answer: the query and the records found, best first, each with its segment, document and dataset. */
export const RetrieveResponseSchema = z.object({ query: z.object({ content: z.string() }), records: z.array(json) });

/** Metadata fields of a dataset and values on documents. */
export const MetadataRequestSchema = z.object({
  body: json,
  datasetId: pathId,
  metadataId: pathId.nullable(),
  op: z.enum(['list', 'create', 'update', 'delete', 'set-documents', 'built-in']),
  workspaceId: uuid,
});

/**
 * Dify's knowledge tags of a workspace (`/v1/datasets/tags…`) and their bindings to datasets. `body` holds
 * Dify's fields as sent (`name`, `tag_id`, `tag_ids`, `target_id`), checked by the rag service; `datasetId`
 * names the dataset whose tags are asked for (`of-dataset`).
 */
export const TagRequestSchema = z.object({
  accountId: z.string().nullable(),
  body: json,
  datasetId: pathId.nullable(),
  op: z.enum(['list', 'create', 'update', 'delete', 'bind', 'unbind', 'of-dataset']),
  workspaceId: uuid,
});
/** A tag, a dataset's tags, `{result}` of a change, or (`list`) every knowledge tag of the workspace. */
export const TagResponseSchema = z.union([z.array(json), json]);

/** A document to (re)index, on the KB_INGEST work queue. */
export const IngestJobSchema = z.object({ documentId: uuid, workspaceId: uuid });
export type IngestJob = z.infer<typeof IngestJobSchema>;

/** A dataset's content changed: every rag replica forgets what it cached for it. */
export const DatasetChangedSchema = z.object({ datasetId: uuid });
