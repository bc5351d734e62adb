import { DomainError } from '@weft/contracts';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { KnowledgeRetrievalExecutor, retrievalModelOf } from './knowledge-retrieval.executor';
import type { DatasetProfile } from './knowledge-routing.util';
import { failureOf, outputsOf, replyOpenAi, testChatProviders, testContext, testJob, testKnowledge } from '../node-test.util';

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

const profiles: DatasetProfile[] = [
  {
    availableDocuments: 2,
    description: 'Weaving: looms, warp and weft.',
    id: 'd1',
    metadataFields: [{ name: 'year', type: 'number' }],
    name: 'Looms',
  },
  { availableDocuments: 1, description: '', id: 'd2', metadataFields: [{ name: 'author', type: 'string' }], name: 'Recipes' },
  { availableDocuments: 0, description: 'Nothing indexed yet', id: 'd3', metadataFields: [], name: 'Empty' },
];
const model = { completion_params: {}, mode: 'chat', name: 'router', provider: 'openai_api_compatible' };

describe('KnowledgeRetrievalExecutor', () => {
  it('asks the rag service for every dataset at once and answers Dify result items', async () => {
    const knowledge = testKnowledge([record]);
    const job = testJob(
      'knowledge-retrieval',
      {
        dataset_ids: ['d1', 'd2'],
        multiple_retrieval_config: { top_k: 3 },
        query_variable_selector: ['start', 'q'],
        retrieval_mode: 'multiple',
      },
      { start: { q: 'what is weft' } },
    );
    const result = await new KnowledgeRetrievalExecutor(knowledge).execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    expect(knowledge.requests[0]).toMatchObject({
      datasetIds: ['d1', 'd2'],
      metadataFilter: null,
      query: 'what is weft',
      retrievalModel: { search_method: 'hybrid_search', top_k: 3 },
      workspaceId: job.workspaceId,
    });
    expect(outputsOf(result)['result']).toEqual([
      {
        content: 'Weft is the crosswise thread.',
        metadata: expect.objectContaining({
          _source: 'knowledge',
          dataset_id: 'd1',
          dataset_name: 'Looms',
          document_id: 'doc1',
          document_name: 'weaving.md',
          position: 1,
          score: 0.8,
          segment_id: 's1',
          segment_position: 3,
        }),
        title: 'weaving.md',
      },
    ]);
  });

  it('refuses a missing or non-string query, and finds nothing in datasets that are gone', async () => {
    const missing = testJob('knowledge-retrieval', { dataset_ids: ['d1'], query_variable_selector: ['start', 'q'] }, { start: {} });
    expect(failureOf(await new KnowledgeRetrievalExecutor(testKnowledge()).execute(missing, testContext(missing))).error).toBe(
      'Query is required.',
    );
    const number = testJob('knowledge-retrieval', { dataset_ids: ['d1'], query_variable_selector: ['start', 'q'] }, { start: { q: 3 } });
    expect(failureOf(await new KnowledgeRetrievalExecutor(testKnowledge()).execute(number, testContext(number))).error).toBe(
      'Query variable is not string type.',
    );
    const gone = {
      profiles: () => Promise.resolve(profiles),
      retrieve: () => Promise.reject(new DomainError('not_found', 'Dataset not found.')),
    };
    const job = testJob(
      'knowledge-retrieval',
      { dataset_ids: ['d1'], query_variable_selector: ['start', 'q'], retrieval_mode: 'multiple' },
      { start: { q: 'x' } },
    );
    const result = await new KnowledgeRetrievalExecutor(gone).execute(job, testContext(job));
    expect(result).toMatchObject({ outputs: { result: [] }, status: 'succeeded' });
    const down = { profiles: () => Promise.resolve(profiles), retrieve: () => Promise.reject(new Error('timeout')) };
    expect((await new KnowledgeRetrievalExecutor(down).execute(job, testContext(job))).status).toBe('failed');
  });

  it('passes manual metadata conditions with their variables filled in', async () => {
    const knowledge = testKnowledge([record]);
    const job = testJob(
      'knowledge-retrieval',
      {
        dataset_ids: ['d1'],
        metadata_filtering_conditions: {
          conditions: [{ comparison_operator: 'is', name: 'lang', value: '{{#start.lang#}}' }],
          logical_operator: 'and',
        },
        metadata_filtering_mode: 'manual',
        query_variable_selector: ['start', 'q'],
        retrieval_mode: 'multiple',
      },
      { start: { lang: 'en', q: 'weft' } },
    );
    await new KnowledgeRetrievalExecutor(knowledge).execute(job, testContext(job));
    expect(knowledge.requests[0]!.metadataFilter).toEqual({
      conditions: [{ comparison_operator: 'is', name: 'lang', value: 'en' }],
      logical_operator: 'and',
    });
  });

  describe('with a model (a local OpenAI-compatible server)', () => {
    let server: TestHttpServer;
    let reply: { content?: string; tool_calls?: unknown[] } | 'fail' = {};
    const bodies: Record<string, unknown>[] = [];

    beforeAll(async () => {
      server = await startTestHttpServer((req, res) => {
        const body = JSON.parse(req.body.toString()) as Record<string, unknown>;
        bodies.push(body);
        if (reply === 'fail') {
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad model' } }));
          return;
        }
        replyOpenAi(res, body, reply);
      });
    });
    afterAll(() => server.close());
    beforeEach(() => {
      bodies.length = 0;
    });

    const run = async (data: Record<string, unknown>, knowledge = testKnowledge([record], profiles)) => {
      const { providers } = testChatProviders({ openai_api_compatible: { endpoint_url: `${server.url}/v1` } });
      const job = testJob(
        'knowledge-retrieval',
        { dataset_ids: ['d1', 'd2', 'd3'], query_variable_selector: ['start', 'q'], ...data },
        { start: { q: 'how is a loom warped' } },
      );
      return { knowledge, result: await new KnowledgeRetrievalExecutor(knowledge, providers).execute(job, testContext(job)) };
    };
    const toolCall = (name: string) => ({ tool_calls: [{ function: { arguments: '{}', name }, id: 'call_1', type: 'function' }] });

    it('single mode searches only the dataset the model calls, offering one function per dataset with documents', async () => {
      reply = toolCall('d1');
      const { knowledge, result } = await run({ retrieval_mode: 'single', single_retrieval_config: { model } });
      expect(result.status).toBe('succeeded');
      expect(knowledge.requests).toEqual([expect.objectContaining({ datasetIds: ['d1'], retrievalModel: null })]);
      expect(result.processData).toMatchObject({ dataset_id: 'd1' });
      expect(result.metadata).toMatchObject({ total_tokens: 24 });
      const tools = bodies[0]!['tools'] as { function: { description: string; name: string } }[];
      expect(tools.map((t) => t.function)).toEqual([
        expect.objectContaining({ description: 'Weaving: looms, warp and weft.', name: 'd1' }),
        expect.objectContaining({ description: 'useful for when you want to answer queries about the Recipes', name: 'd2' }),
      ]);
      expect(bodies[0]).toMatchObject({ temperature: 0.2, top_p: 0.3 });
      expect((bodies[0]!['messages'] as { content: string }[]).at(-1)!.content).toBe('how is a loom warped');
    });

    it('single mode finds nothing when the model calls no dataset, one not offered, or fails', async () => {
      for (const answer of [{ content: 'I do not know' }, toolCall('d3'), 'fail' as const]) {
        reply = answer;
        const { knowledge, result } = await run({ retrieval_mode: 'single', single_retrieval_config: { model } });
        expect(result).toMatchObject({ outputs: { result: [] }, status: 'succeeded' });
        expect(knowledge.requests).toEqual([]);
      }
    });

    it('single mode takes the only dataset with documents without asking, and needs a model to choose between several', async () => {
      const lone = testKnowledge([record], [profiles[0]!, profiles[2]!]);
      const { result } = await run({ retrieval_mode: 'single' }, lone);
      expect(result.status).toBe('succeeded');
      expect(bodies).toEqual([]);
      expect(lone.requests[0]!.datasetIds).toEqual(['d1']);
      const { result: failedResult } = await run({ retrieval_mode: 'single' });
      expect(failedResult).toMatchObject({ error: 'single_retrieval_config: Model config is missing.', status: 'failed' });
    });

    it('automatic metadata filtering applies the conditions the metadata model finds in the query', async () => {
      reply = {
        content:
          '```json\n{"metadata_map": [{"metadata_field_name": "year", "metadata_field_value": "2024", "comparison_operator": ">="}, {"metadata_field_name": "colour", "metadata_field_value": "red", "comparison_operator": "="}]}\n```',
      };
      const { knowledge, result } = await run({
        metadata_filtering_mode: 'automatic',
        metadata_model_config: model,
        multiple_retrieval_config: { top_k: 2 },
        retrieval_mode: 'multiple',
      });
      expect(result.status).toBe('succeeded');
      expect(knowledge.requests[0]).toMatchObject({
        datasetIds: ['d1', 'd2', 'd3'],
        metadataFilter: { conditions: [{ comparison_operator: '≥', name: 'year', value: 2024 }], logical_operator: 'or' },
        retrievalModel: { top_k: 2 },
      });
      const question = JSON.parse((bodies[0]!['messages'] as { content: string }[]).at(-1)!.content) as unknown;
      expect(question).toEqual({ input_text: 'how is a loom warped', metadata_fields: ['year', 'author'] });
    });

    it('automatic metadata filtering without usable conditions searches unfiltered', async () => {
      reply = { content: 'no JSON here' };
      const { knowledge } = await run({ metadata_filtering_mode: 'automatic', metadata_model_config: model, retrieval_mode: 'multiple' });
      expect(knowledge.requests[0]!.metadataFilter).toBeNull();
    });
  });
});

describe('retrievalModelOf', () => {
  it('maps multiple mode settings and weights to a retrieval model', () => {
    const model = retrievalModelOf({
      multiple_retrieval_config: {
        reranking_mode: 'weighted_score',
        score_threshold: 0.5,
        top_k: 6,
        weights: { keyword_setting: { keyword_weight: 0.3 }, vector_setting: { vector_weight: 0.7 } },
      },
      retrieval_mode: 'multiple',
    });
    expect(model).toMatchObject({
      reranking_mode: 'weighted_score',
      score_threshold: 0.5,
      score_threshold_enabled: true,
      search_method: 'hybrid_search',
      top_k: 6,
      weights: { keyword_setting: { keyword_weight: 0.3 } },
    });
  });
});
