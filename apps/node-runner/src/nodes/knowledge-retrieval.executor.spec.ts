import { DomainError } from '@weft/contracts';
import { KnowledgeRetrievalExecutor, retrievalModelOf } from './knowledge-retrieval.executor';
import { testContext, testJob, testKnowledge } from './node-test.util';

const record = {
  score: 0.8,
  segment: {
    content: 'Weft is the crosswise thread.',
    dataset_id: 'd1',
    document: { data_source_type: 'upload_file', dataset_name: 'Looms', doc_metadata: { year: 2024 }, id: 'doc1', name: 'weaving.md' },
    document_id: 'doc1',
    hit_count: 2,
    id: 's1',
    index_node_hash: 'h',
    position: 3,
    word_count: 29,
  },
};

describe('KnowledgeRetrievalExecutor', () => {
  it('asks the rag service for every dataset at once and answers Dify result items', async () => {
    const knowledge = testKnowledge([record]);
    const job = testJob('knowledge-retrieval', { dataset_ids: ['d1', 'd2'], multiple_retrieval_config: { top_k: 3 }, query_variable_selector: ['start', 'q'], retrieval_mode: 'multiple' }, { start: { q: 'what is weft' } });
    const result = await new KnowledgeRetrievalExecutor(knowledge).execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    expect(knowledge.requests[0]).toMatchObject({ datasetIds: ['d1', 'd2'], query: 'what is weft', retrievalModel: { search_method: 'hybrid_search', top_k: 3 }, workspaceId: job.workspaceId });
    expect(result.outputs['result']).toEqual([
      {
        content: 'Weft is the crosswise thread.',
        metadata: expect.objectContaining({ _source: 'knowledge', dataset_id: 'd1', dataset_name: 'Looms', document_id: 'doc1', document_name: 'weaving.md', position: 1, score: 0.8, segment_id: 's1', segment_position: 3 }),
        title: 'weaving.md',
      },
    ]);
  });

  it('refuses a missing or non-string query, and finds nothing in datasets that are gone', async () => {
    const missing = testJob('knowledge-retrieval', { dataset_ids: ['d1'], query_variable_selector: ['start', 'q'] }, { start: {} });
    expect((await new KnowledgeRetrievalExecutor(testKnowledge()).execute(missing, testContext(missing))).error).toBe('Query is required.');
    const number = testJob('knowledge-retrieval', { dataset_ids: ['d1'], query_variable_selector: ['start', 'q'] }, { start: { q: 3 } });
    expect((await new KnowledgeRetrievalExecutor(testKnowledge()).execute(number, testContext(number))).error).toBe('Query variable is not string type.');
    const gone = { retrieve: () => Promise.reject(new DomainError('not_found', 'Dataset not found.')) };
    const job = testJob('knowledge-retrieval', { dataset_ids: ['d1'], query_variable_selector: ['start', 'q'] }, { start: { q: 'x' } });
    const result = await new KnowledgeRetrievalExecutor(gone).execute(job, testContext(job));
    expect(result).toMatchObject({ outputs: { result: [] }, status: 'succeeded' });
    const down = { retrieve: () => Promise.reject(new Error('timeout')) };
    expect((await new KnowledgeRetrievalExecutor(down).execute(job, testContext(job))).status).toBe('failed');
  });
});

describe('retrievalModelOf', () => {
  it('maps multiple mode settings, weights and manual metadata filters to a retrieval model', () => {
    const model = retrievalModelOf({
      metadata_filtering_conditions: { conditions: [{ comparison_operator: 'is', name: 'lang', value: 'en' }], logical_operator: 'and' },
      metadata_filtering_mode: 'manual',
      multiple_retrieval_config: { reranking_mode: 'weighted_score', score_threshold: 0.5, top_k: 6, weights: { keyword_setting: { keyword_weight: 0.3 }, vector_setting: { vector_weight: 0.7 } } },
      retrieval_mode: 'multiple',
    });
    expect(model).toMatchObject({
      metadata_filtering_conditions: { logical_operator: 'and' },
      reranking_mode: 'weighted_score',
      score_threshold: 0.5,
      score_threshold_enabled: true,
      search_method: 'hybrid_search',
      top_k: 6,
      weights: { keyword_setting: { keyword_weight: 0.3 } },
    });
  });

  it('leaves single mode to each dataset, and ignores automatic metadata filtering', () => {
    expect(retrievalModelOf({ retrieval_mode: 'single' })).toBeNull();
    expect(retrievalModelOf({ metadata_filtering_conditions: { conditions: [] }, metadata_filtering_mode: 'automatic', retrieval_mode: 'single' })).toBeNull();
  });
});
