import { BUILT_IN_METADATA_FIELDS } from '@weft/contracts';

// Dify's built-in metadata fields (`core/rag/index_processor/constant/built_in_field.py`): while a dataset
// has them enabled, every document carries them in `doc_metadata`, so metadata filters reach them like any
// other field. Times are Unix epoch seconds (what Dify's enable step writes and its `before`/`after`
// filters compare), and `source` is Dify's `MetadataDataSource` value of the document's data source type.

/** The built-in fields, in Dify's order (the list `GET /v1/datasets/metadata/built-in` answers). */
export const BUILT_IN_FIELDS = BUILT_IN_METADATA_FIELDS;

const NAMES = new Set(BUILT_IN_FIELDS.map((f) => f.name));

/** Dify's `MetadataDataSource`: the `source` value of each data source type. */
const SOURCES: Record<string, string> = { notion_import: 'notion', upload_file: 'file_upload', website_crawl: 'website' };

/** What the built-in values of a document are made of. */
export interface BuiltInSource {
  createdAt: Date;
  dataSourceType: string;
  name: string;
  updatedAt: Date;
  uploader: string | null;
}

/** True when a user field by this name would collide with a built-in one (Dify refuses such names). */
export function isBuiltInFieldName(name: string): boolean {
  return NAMES.has(name);
}

/** The built-in values of a document. */
export function builtInValues(doc: BuiltInSource): Record<string, string | number | null> {
  return {
    document_name: doc.name,
    uploader: doc.uploader,
    upload_date: doc.createdAt.getTime() / 1000,
    last_update_date: doc.updatedAt.getTime() / 1000,
    source: SOURCES[doc.dataSourceType] ?? doc.dataSourceType,
  };
}

/** The document's metadata with its built-in values set (replacing stale ones), the user's values kept. */
export function withBuiltIns(metadata: Record<string, unknown>, doc: BuiltInSource): Record<string, unknown> {
  return { ...metadata, ...builtInValues(doc) };
}

/** The document's metadata without built-in values (the dataset turned them off). */
export function withoutBuiltIns(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([name]) => !NAMES.has(name)));
}

/** The built-in entries of a document's `doc_metadata` answer (`id` is Dify's literal "built-in"). */
export function builtInDetails(metadata: Record<string, unknown>): { id: string; name: string; type: string; value: unknown }[] {
  return BUILT_IN_FIELDS.map((f) => ({ id: 'built-in', name: f.name, type: f.type, value: metadata[f.name] ?? null }));
}

/** The built-in entries of a dataset's `doc_metadata` answer, listed after the user's fields when enabled. */
export function builtInDeclarations(): { id: string; name: string; type: string }[] {
  return BUILT_IN_FIELDS.map((f) => ({ id: 'built-in', name: f.name, type: f.type }));
}
