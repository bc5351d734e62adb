import { z } from 'zod';
import { DEFAULT_DATASET_RETRIEVAL_MODEL, type RetrievalModel } from '../retrieval/retrieval-model.types';
import { RetrievalModelSchema } from '../retrieval/retrieval-model.types';
import { builtInDeclarations } from './built-in-metadata.util';

/** `POST /v1/datasets` (Dify's fields; unknown ones are ignored). */
export const CreateDatasetSchema = z.object({
  description: z.string().max(400, 'Description cannot exceed 400 characters.').default(''),
  embedding_model: z.string().max(255).nullish(),
  embedding_model_provider: z.string().max(255).nullish(),
  indexing_technique: z.enum(['high_quality', 'economy']).nullish(),
  name: z
    .string({ required_error: 'name is required' })
    .trim()
    .min(1, 'Name must be between 1 to 40 characters.')
    .max(40, 'Name must be between 1 to 40 characters.'),
  permission: z.enum(['only_me', 'all_team_members', 'partial_members']).default('only_me'),
  provider: z.enum(['vendor', 'external']).default('vendor'),
  retrieval_model: z.unknown().optional(),
});

/** `PATCH /v1/datasets/{id}`. */
export const UpdateDatasetSchema = CreateDatasetSchema.partial().omit({ provider: true });

/** What searching a dataset needs: its models and technique, without the counts its API shape shows. */
export type DatasetSettings = Pick<
  DatasetRow,
  'docForm' | 'embeddingModel' | 'embeddingModelProvider' | 'id' | 'indexingTechnique' | 'name' | 'retrievalModel' | 'workspaceId'
>;

/** A dataset row with the counts its Dify shape shows. */
export interface DatasetRow {
  builtInFieldEnabled: boolean;
  createdAt: Date;
  createdBy: string | null;
  description: string;
  docForm: string | null;
  documentCount: number;
  availableDocumentCount: number;
  embeddingModel: string | null;
  embeddingModelProvider: string | null;
  id: string;
  indexingTechnique: string | null;
  metadataFields: { id: string; name: string; type: string }[];
  name: string;
  permission: string;
  provider: string;
  retrievalModel: Record<string, unknown> | null;
  /** The knowledge tags bound to the dataset, by name. */
  tags: { id: string; name: string; type: string }[];
  updatedAt: Date;
  updatedBy: string | null;
  wordCount: number;
  workspaceId: string;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** The dataset's retrieval model with Dify's defaults. */
export function datasetRetrievalModel(row: Pick<DatasetRow, 'retrievalModel'>): RetrievalModel {
  const parsed = RetrievalModelSchema.safeParse(row.retrievalModel ?? {});
  return row.retrievalModel && parsed.success ? parsed.data : DEFAULT_DATASET_RETRIEVAL_MODEL;
}

/** Dify's `Dataset` object; its `doc_metadata` lists the built-in fields after the user's while they are enabled, as Dify's does. */
export function toDatasetResponse(row: DatasetRow): Record<string, unknown> {
  return {
    app_count: 0,
    author_name: '',
    built_in_field_enabled: row.builtInFieldEnabled,
    chunk_structure: null,
    created_at: seconds(row.createdAt),
    created_by: row.createdBy,
    data_source_type: row.documentCount > 0 ? 'upload_file' : null,
    description: row.description,
    doc_form: row.docForm,
    doc_metadata: row.builtInFieldEnabled ? [...row.metadataFields, ...builtInDeclarations()] : row.metadataFields,
    document_count: row.documentCount,
    embedding_available: true,
    embedding_model: row.embeddingModel,
    embedding_model_provider: row.embeddingModelProvider,
    enable_api: true,
    external_knowledge_info: {
      external_knowledge_api_endpoint: null,
      external_knowledge_api_id: null,
      external_knowledge_api_name: null,
      external_knowledge_id: null,
    },
    external_retrieval_model: { score_threshold: 0, score_threshold_enabled: false, top_k: 2 },
    icon_info: { icon: '📙', icon_background: '#FFF4ED', icon_type: 'emoji', icon_url: null },
    id: row.id,
    indexing_technique: row.indexingTechnique,
    is_multimodal: false,
    is_published: false,
    name: row.name,
    partial_member_list: [],
    permission: row.permission,
    pipeline_id: null,
    provider: row.provider,
    retrieval_model_dict: datasetRetrievalModel(row),
    runtime_mode: 'general',
    summary_index_setting: null,
    tags: row.tags,
    total_available_documents: row.availableDocumentCount,
    total_documents: row.documentCount,
    updated_at: seconds(row.updatedAt),
    updated_by: row.updatedBy,
    word_count: row.wordCount,
  };
}
