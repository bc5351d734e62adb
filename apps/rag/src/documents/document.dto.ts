import { z } from 'zod';
import { builtInDetails } from '../datasets/built-in-metadata.util';

/** The Dify fields of a create/update-by-text or by-file request besides name, text and file. */
export const DocumentSettingsSchema = z.object({
  doc_form: z.enum(['text_model', 'hierarchical_model', 'qa_model']).nullish(),
  doc_language: z.string().max(50).nullish(),
  embedding_model: z.string().max(255).nullish(),
  embedding_model_provider: z.string().max(255).nullish(),
  indexing_technique: z.enum(['high_quality', 'economy']).nullish(),
  process_rule: z
    .object({ mode: z.enum(['automatic', 'custom', 'hierarchical']), rules: z.record(z.string(), z.unknown()).nullish() })
    .nullish(),
  retrieval_model: z.unknown().optional(),
});

/** A document row. */
export interface DocumentRow {
  archived: boolean;
  batch: string;
  cleaningCompletedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  createdBy: string | null;
  datasetId: string;
  dataSourceInfo: Record<string, unknown>;
  dataSourceType: string;
  docForm: string;
  docLanguage: string;
  docMetadata: Record<string, unknown>;
  enabled: boolean;
  error: string | null;
  id: string;
  indexingStatus: string;
  name: string;
  parsingCompletedAt: Date | null;
  position: number;
  processingStartedAt: Date | null;
  processRule: Record<string, unknown>;
  segmentCount: number;
  sourceText: string | null;
  splittingCompletedAt: Date | null;
  stoppedAt: Date | null;
  tokens: number;
  updatedAt: Date;
  /** The name of the account that added it (Dify's built-in `uploader`), when known. */
  uploader: string | null;
  wordCount: number;
  workspaceId: string;
}

const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);
const floatSeconds = (d: Date | null) => (d ? d.getTime() / 1000 : null);

/** Dify's `display_status`, the UI's view of a document. */
export function displayStatus(d: Pick<DocumentRow, 'archived' | 'enabled' | 'indexingStatus'>): string {
  if (d.archived) return 'archived';
  if (d.indexingStatus === 'waiting') return 'queuing';
  if (d.indexingStatus === 'paused') return 'paused';
  if (d.indexingStatus === 'error') return 'error';
  if (d.indexingStatus !== 'completed') return 'indexing';
  return d.enabled ? 'available' : 'disabled';
}

/**
 * Dify's `Document` object; `fields` gives the dataset's metadata fields for `doc_metadata`, followed by the
 * built-in fields (`id` "built-in") while the dataset has them enabled (`builtIn`).
 */
export function toDocumentResponse(
  d: DocumentRow,
  fields: { id: string; name: string; type: string }[] = [],
  builtIn = false,
): Record<string, unknown> {
  const own = fields.filter((f) => Object.hasOwn(d.docMetadata, f.name)).map((f) => ({ ...f, value: d.docMetadata[f.name] }));
  return {
    archived: d.archived,
    created_at: seconds(d.createdAt),
    created_by: d.createdBy,
    created_from: 'api',
    data_source_detail_dict: d.dataSourceType === 'upload_file' ? { upload_file: d.dataSourceInfo } : {},
    data_source_info: d.dataSourceType === 'upload_file' ? { upload_file_id: d.dataSourceInfo['id'] ?? null } : null,
    data_source_type: d.dataSourceType,
    dataset_process_rule_id: null,
    disabled_at: null,
    disabled_by: null,
    display_status: displayStatus(d),
    doc_form: d.docForm,
    doc_language: d.docLanguage,
    doc_metadata: builtIn ? [...own, ...builtInDetails(d.docMetadata)] : own,
    enabled: d.enabled,
    error: d.error,
    hit_count: 0,
    id: d.id,
    indexing_status: d.indexingStatus,
    name: d.name,
    need_summary: false,
    position: d.position,
    summary_index_status: null,
    tokens: d.tokens,
    word_count: d.wordCount,
  };
}

/** One entry of Dify's indexing-status answer (timestamps as float seconds). */
export function toIndexingStatus(d: DocumentRow): Record<string, unknown> {
  return {
    cleaning_completed_at: floatSeconds(d.cleaningCompletedAt),
    completed_at: floatSeconds(d.completedAt),
    completed_segments: d.indexingStatus === 'completed' ? d.segmentCount : 0,
    error: d.error,
    id: d.id,
    indexing_status: d.indexingStatus,
    parsing_completed_at: floatSeconds(d.parsingCompletedAt),
    paused_at: null,
    processing_started_at: floatSeconds(d.processingStartedAt),
    splitting_completed_at: floatSeconds(d.splittingCompletedAt),
    stopped_at: floatSeconds(d.stoppedAt),
    total_segments: d.segmentCount,
  };
}
