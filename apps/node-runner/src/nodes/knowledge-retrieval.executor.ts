import { DomainError, type NodeJob } from '@weft/contracts';
import { isPlainObject } from '@weft/workflow';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeRunOutcome, type RemoteNodeExecutor } from './node-executor.types';

/** Where the node's retrieval goes: the rag service's `kb.retrieve.v1`. */
export interface KnowledgeSource {
  retrieve(request: { datasetIds: string[]; query: string; retrievalModel: Record<string, unknown> | null; workspaceId: string }): Promise<{ records: Record<string, unknown>[] }>;
}

const DEFAULT_TOP_K = 4;

/**
 * The knowledge-retrieval node: asks the rag service to search the node's datasets (all of them at once;
 * rag queries them concurrently and merges by score) and answers Dify's `result`: one item per segment
 * with its content, its document's name as title, and Dify's metadata (source, dataset, document,
 * segment, score, position). `multiple` mode uses the node's top_k, threshold and reranking settings;
 * `single` mode, where Dify lets a model pick one dataset, searches them all with each dataset's own
 * retrieval settings and keeps the best hits. Manual metadata filters are passed on; automatic ones
 * need a model and are not applied.
 */
export class KnowledgeRetrievalExecutor implements RemoteNodeExecutor {
  constructor(private readonly knowledge: KnowledgeSource) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeRunOutcome> {
    const data = job.data;
    const selector = asSelector(data['query_variable_selector']);
    const query = selector ? ctx.pool.get(selector) : undefined;
    if (query !== undefined && query !== null && typeof query !== 'string') {
      return failed('KnowledgeRetrievalNodeError', 'Query variable is not string type.', { inputs: { query } });
    }
    const inputs = { query: query ?? '' };
    if (!query) return failed('KnowledgeRetrievalNodeError', 'Query is required.', { inputs });
    const datasetIds = Array.isArray(data['dataset_ids']) ? data['dataset_ids'].filter((id): id is string => typeof id === 'string') : [];
    if (datasetIds.length === 0) return succeeded({ inputs, outputs: { result: [] } });

    let records: Record<string, unknown>[];
    try {
      ({ records } = await this.knowledge.retrieve({ datasetIds, query, retrievalModel: retrievalModelOf(data), workspaceId: job.workspaceId }));
    } catch (error) {
      // Datasets deleted since the workflow was written are no error in Dify: there is nothing to find in them.
      if (error instanceof DomainError && error.code === 'not_found') return succeeded({ inputs, outputs: { result: [] } });
      return failed('KnowledgeRetrievalNodeError', `Knowledge retrieval failed: ${(error as Error).message}`, { inputs });
    }
    const result = records.map((record, index) => toResultItem(record, index + 1));
    return succeeded({ inputs, outputs: { result } });
  }
}

/** The retrieval model the node's settings ask for, or null for each dataset's own (single mode). */
export function retrievalModelOf(data: Record<string, unknown>): Record<string, unknown> | null {
  const filter = data['metadata_filtering_mode'] === 'manual' && isPlainObject(data['metadata_filtering_conditions']) ? data['metadata_filtering_conditions'] : null;
  if (data['retrieval_mode'] !== 'multiple') return filter ? { metadata_filtering_conditions: filter, search_method: 'semantic_search' } : null;
  const config = isPlainObject(data['multiple_retrieval_config']) ? data['multiple_retrieval_config'] : {};
  const threshold = typeof config['score_threshold'] === 'number' ? config['score_threshold'] : null;
  const weights = isPlainObject(config['weights']) ? config['weights'] : null;
  const mode = config['reranking_mode'] === 'weighted_score' || (weights && config['reranking_mode'] !== 'reranking_model') ? 'weighted_score' : 'reranking_model';
  const reranker = isPlainObject(config['reranking_model']) ? config['reranking_model'] : {};
  return {
    metadata_filtering_conditions: filter,
    reranking_enable: config['reranking_enable'] === true,
    reranking_mode: mode,
    reranking_model: { reranking_model_name: String(reranker['model'] ?? ''), reranking_provider_name: String(reranker['provider'] ?? '') },
    score_threshold: threshold,
    score_threshold_enabled: threshold !== null,
    // Dify's multiple retrieval searches vectors and keywords and reranks: hybrid search here.
    search_method: 'hybrid_search',
    top_k: Number(config['top_k'] ?? DEFAULT_TOP_K) || DEFAULT_TOP_K,
    weights: mode === 'weighted_score' && weights ? weights : null,
  };
}

/** One item of Dify's `result`: `{content, title, metadata}`. */
function toResultItem(record: Record<string, unknown>, position: number): Record<string, unknown> {
  const segment = (record['segment'] as Record<string, unknown> | undefined) ?? {};
  const document = (segment['document'] as Record<string, unknown> | undefined) ?? {};
  return {
    content: segment['answer'] ? `question:${String(segment['content'])} answer:${String(segment['answer'])}` : segment['content'],
    metadata: {
      _source: 'knowledge',
      data_source_type: document['data_source_type'] ?? null,
      dataset_id: segment['dataset_id'] ?? null,
      dataset_name: document['dataset_name'] ?? null,
      doc_metadata: document['doc_metadata'] ?? {},
      document_data_source_type: document['data_source_type'] ?? null,
      document_id: segment['document_id'] ?? null,
      document_name: document['name'] ?? null,
      position,
      retriever_from: 'workflow',
      score: record['score'] ?? null,
      segment_hit_count: segment['hit_count'] ?? 0,
      segment_id: segment['id'] ?? null,
      segment_index_node_hash: segment['index_node_hash'] ?? null,
      segment_position: segment['position'] ?? null,
      segment_word_count: segment['word_count'] ?? 0,
    },
    title: document['name'] ?? null,
  };
}
