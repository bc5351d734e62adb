import { DomainError, type NodeJob, type NodeOutcome, type NodeSucceededOutcome } from '@weft/contracts';
import { isPlainObject, renderTemplate, type VariablePool } from '@weft/workflow';
import type { ChatProviderSource } from '../../providers/chat-providers.service';
import { ProviderRequestError } from '../../providers/provider.exception';
import type { DifyUsage } from '../../providers/usage.util';
import {
  datasetTools,
  metadataFilterMessages,
  parseMetadataFilterAnswer,
  ROUTER_PARAMS,
  reactRoutedDataset,
  reactRouterMessages,
  routedDataset,
  routerMessages,
  type DatasetProfile,
  type MetadataCondition,
} from './knowledge-routing.util';
import { callModel, readModelConfig } from '../model-call.util';
import { asSelector, failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';

/** One retrieval: the datasets searched, Dify's retrieval model (null: each dataset's own) and a metadata filter over it. */
export interface KnowledgeRetrieveRequest {
  datasetIds: string[];
  metadataFilter?: Record<string, unknown> | null;
  query: string;
  retrievalModel: Record<string, unknown> | null;
  workspaceId: string;
}

/** Where the node's retrieval goes: the rag service (`kb.retrieve.v1`, and `kb.dataset.get.v1` for routing). */
export interface KnowledgeSource {
  retrieve(request: KnowledgeRetrieveRequest): Promise<{ records: Record<string, unknown>[] }>;
  /** Names, descriptions, metadata fields and available documents of the datasets; unknown ids are left out. */
  profiles(workspaceId: string, datasetIds: string[]): Promise<DatasetProfile[]>;
}

const DEFAULT_TOP_K = 4;

/** A model call's usage, added up over the node's calls (router and metadata model). */
function addUsage(total: { currency: string; total_price: number; total_tokens: number } | null, usage: DifyUsage) {
  return {
    currency: usage.currency,
    total_price: (total?.total_price ?? 0) + Number(usage.total_price),
    total_tokens: (total?.total_tokens ?? 0) + usage.total_tokens,
  };
}

/**
 * The knowledge-retrieval node, as Dify runs it:
 * - `multiple` mode searches every dataset at once (rag queries them concurrently and merges by score)
 *   with the node's top_k, threshold and reranking settings;
 * - `single` mode lets the node's model pick one dataset by function calling (one tool per dataset
 *   with documents to search, described by its description) and searches only that one with its own
 *   retrieval settings; when the model picks none, or the call fails, there is no result, as in Dify;
 * - metadata filtering is `manual` (the node's conditions, `{{#…#}}` values resolved) or `automatic`
 *   (the metadata model turns the query into conditions over the datasets' metadata fields; none
 *   found, or a failed call, means no filter, as in Dify).
 * Answers Dify's `result`: one item per segment with its content, its document's name as title and
 * Dify's metadata (source, dataset, document, segment, score, position).
 */
export class KnowledgeRetrievalExecutor implements NodeJobExecutor {
  constructor(
    private readonly knowledge: KnowledgeSource,
    private readonly providers?: ChatProviderSource,
  ) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const data = job.data;
    const selector = asSelector(data['query_variable_selector']);
    const query = selector ? ctx.pool.get(selector) : undefined;
    if (query !== undefined && query !== null && typeof query !== 'string') {
      return failed('KnowledgeRetrievalNodeError', 'Query variable is not string type.', { inputs: { query } });
    }
    const inputs = { query: query ?? '' };
    if (!query) return failed('KnowledgeRetrievalNodeError', 'Query is required.', { inputs });
    const datasetIds = Array.isArray(data['dataset_ids']) ? data['dataset_ids'].filter((id): id is string => typeof id === 'string') : [];
    const nothing = (extra: Partial<NodeSucceededOutcome> = {}) => succeeded({ inputs, outputs: { result: [] }, ...extra });
    if (datasetIds.length === 0) return nothing();

    const single = data['retrieval_mode'] !== 'multiple';
    const automatic = data['metadata_filtering_mode'] === 'automatic';
    const processData: Record<string, unknown> = {};
    let usage: ReturnType<typeof addUsage> | null = null;
    const extra = () => ({ metadata: usage ? { ...usage } : {}, processData: Object.keys(processData).length > 0 ? processData : null });

    try {
      let profiles: DatasetProfile[] = [];
      if (single || automatic) {
        // Dify offers the model only datasets that have documents to search.
        profiles = (await this.knowledge.profiles(job.workspaceId, datasetIds)).filter((p) => p.availableDocuments > 0);
        if (profiles.length === 0) return nothing();
      }

      let metadataFilter = manualFilter(data, ctx.pool);
      if (automatic) {
        const model = readModelConfig({ model: data['metadata_model_config'] });
        if ('error' in model) return failed('KnowledgeRetrievalNodeError', `metadata_model_config: ${model.error}`, { inputs });
        const fields = uniqueFields(profiles);
        let conditions: MetadataCondition[] = [];
        try {
          const call = await callModel(
            this.providers!,
            job,
            model,
            {
              messages: metadataFilterMessages(
                query,
                fields.map((f) => f.name),
              ),
            },
            { signal: ctx.signal },
          );
          usage = addUsage(usage, call.usage);
          conditions = parseMetadataFilterAnswer(call.result.text, fields);
        } catch (error) {
          processData['metadata_filter_error'] = (error as Error).message;
        }
        const conditionsConfig = isPlainObject(data['metadata_filtering_conditions']) ? data['metadata_filtering_conditions'] : {};
        metadataFilter =
          conditions.length > 0 ? { conditions, logical_operator: conditionsConfig['logical_operator'] === 'and' ? 'and' : 'or' } : null;
        processData['metadata_filter'] = metadataFilter;
      }

      let searched = datasetIds;
      let retrievalModel: Record<string, unknown> | null = null;
      if (single) {
        const picked = await this.route(job, ctx, query, profiles, processData, (u) => (usage = addUsage(usage, u)));
        if ('failure' in picked) return failed('KnowledgeRetrievalNodeError', picked.failure, { inputs });
        processData['dataset_id'] = picked.dataset?.id ?? null;
        if (!picked.dataset) return nothing(extra());
        searched = [picked.dataset.id];
      } else {
        retrievalModel = retrievalModelOf(data);
      }

      const { records } = await this.knowledge.retrieve({
        datasetIds: searched,
        metadataFilter,
        query,
        retrievalModel,
        workspaceId: job.workspaceId,
      });
      return succeeded({ inputs, outputs: { result: records.map((record, index) => toResultItem(record, index + 1)) }, ...extra() });
    } catch (error) {
      // Datasets deleted since the workflow was written are no error in Dify: there is nothing to find in them.
      if (error instanceof DomainError && error.code === 'not_found') return nothing(extra());
      return failed('KnowledgeRetrievalNodeError', `Knowledge retrieval failed: ${(error as Error).message}`, { inputs, ...extra() });
    }
  }

  /**
   * Dify's function-call router: a single candidate is taken without asking; otherwise the model's
   * first tool call names the dataset. A failed call routes nowhere (Dify swallows it); the error is
   * kept in the process data.
   */
  private async route(
    job: NodeJob,
    ctx: NodeExecutionContext,
    query: string,
    profiles: DatasetProfile[],
    processData: Record<string, unknown>,
    onUsage: (usage: DifyUsage) => void,
  ): Promise<{ dataset: DatasetProfile | null } | { failure: string }> {
    if (profiles.length === 1) return { dataset: profiles[0]! };
    const config = isPlainObject(job.data['single_retrieval_config']) ? job.data['single_retrieval_config'] : {};
    const model = readModelConfig(config);
    if ('error' in model) return { failure: `single_retrieval_config: ${model.error}` };
    try {
      const call = await callModel(
        this.providers!,
        job,
        model,
        { messages: routerMessages(query), params: { ...ROUTER_PARAMS }, tools: datasetTools(profiles) },
        { signal: ctx.signal },
      );
      onUsage(call.usage);
      return { dataset: routedDataset(call.result.toolCalls, profiles) };
    } catch (error) {
      if (!refusesTools(error)) {
        processData['router_error'] = (error as Error).message;
        return { dataset: null };
      }
      processData['router'] = 'react';
    }
    // The model refused the tools (as models served without tool support do): ask in prose instead.
    try {
      const call = await callModel(
        this.providers!,
        job,
        model,
        { messages: reactRouterMessages(query, profiles), params: { ...ROUTER_PARAMS } },
        { signal: ctx.signal },
      );
      onUsage(call.usage);
      return { dataset: reactRoutedDataset(call.result.text, profiles) };
    } catch (error) {
      processData['router_error'] = (error as Error).message;
      return { dataset: null };
    }
  }
}

/**
 * Whether a failed router call was the provider refusing the request as made (a 4xx other than
 * authentication or rate limits), as OpenAI-compatible servers answer a model served without tool
 * support; a prose router call may still work there.
 */
function refusesTools(error: unknown): boolean {
  return error instanceof ProviderRequestError && error.status >= 400 && error.status < 500 && ![401, 403, 408, 429].includes(error.status);
}

/** Every metadata field of the datasets once, by name (the first dataset's type wins). */
function uniqueFields(profiles: DatasetProfile[]): { name: string; type: string }[] {
  const fields = new Map<string, string>();
  for (const profile of profiles)
    for (const field of profile.metadataFields) if (!fields.has(field.name)) fields.set(field.name, field.type);
  return [...fields].map(([name, type]) => ({ name, type }));
}

/** The node's manual conditions, string values with `{{#node.var#}}` references filled from the pool (as Dify does). */
function manualFilter(data: Record<string, unknown>, pool: VariablePool): Record<string, unknown> | null {
  const filter = data['metadata_filtering_conditions'];
  if (data['metadata_filtering_mode'] !== 'manual' || !isPlainObject(filter)) return null;
  const conditions = Array.isArray(filter['conditions']) ? filter['conditions'] : [];
  return {
    ...filter,
    conditions: conditions.map((condition: unknown) =>
      isPlainObject(condition) && typeof condition['value'] === 'string'
        ? { ...condition, value: renderTemplate(condition['value'], pool) }
        : condition,
    ),
  };
}

/** The retrieval model of `multiple` mode from the node's settings (filters travel separately). */
export function retrievalModelOf(data: Record<string, unknown>): Record<string, unknown> {
  const config = isPlainObject(data['multiple_retrieval_config']) ? data['multiple_retrieval_config'] : {};
  const threshold = typeof config['score_threshold'] === 'number' ? config['score_threshold'] : null;
  const weights = isPlainObject(config['weights']) ? config['weights'] : null;
  const mode =
    config['reranking_mode'] === 'weighted_score' || (weights && config['reranking_mode'] !== 'reranking_model')
      ? 'weighted_score'
      : 'reranking_model';
  const reranker = isPlainObject(config['reranking_model']) ? config['reranking_model'] : {};
  return {
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
