import { SpanStatusCode } from '@opentelemetry/api';
import type { RequestOf } from '@weft/contracts';
import type { DatabaseService } from '@weft/persistence';
import { recordSpans, type SpanRecorder } from '@weft/testing';
import type { DatasetSettings } from '../datasets/dataset.dto';
import type { DatasetRepository } from '../datasets/dataset.repository';
import type { EmbeddingService } from '../embeddings/embedding.service';
import type { FrequentTermsService } from './frequent-terms.service';
import type { RerankerService } from './reranker.service';
import type { RetrievalCache } from './retrieval-cache.service';
import { RetrievalService } from './retrieval.service';

let recorder: SpanRecorder;
beforeAll(() => {
  recorder = recordSpans();
});
afterAll(() => recorder.stop());
beforeEach(() => recorder.reset());

const WORKSPACE = '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6';
const dataset = (id: string, indexingTechnique: string): DatasetSettings =>
  ({
    docForm: 'text_model',
    embeddingModel: null,
    embeddingModelProvider: null,
    id,
    indexingTechnique,
    name: id,
    retrievalModel: null,
    workspaceId: WORKSPACE,
  }) as DatasetSettings;

/** The service over stores that answer from memory: the cache holds the hits, so no search runs (the span is what is tested). */
function service(stored: DatasetSettings[], hits: number): RetrievalService {
  const records = Array.from({ length: hits }, (_, i) => ({ segment: { id: `s${i}` } }));
  return new RetrievalService(
    { dataSource: { query: async () => [] } } as unknown as DatabaseService,
    { findSettings: async () => stored } as unknown as DatasetRepository,
    {} as EmbeddingService,
    { getOrCompute: async () => records } as unknown as RetrievalCache,
    {} as RerankerService,
    {} as FrequentTermsService,
  );
}

const request = (retrievalModel: Record<string, unknown> | null): RequestOf<'kb.retrieve.v1'> =>
  ({
    datasetIds: ['d1', 'd2'],
    metadataFilter: null,
    query: 'what is weft',
    retrievalModel,
    workspaceId: WORKSPACE,
  }) as unknown as RequestOf<'kb.retrieve.v1'>;

describe('retrieval spans', () => {
  it('records a retrieval as weft.retrieval with its datasets, search methods, top_k and hits', async () => {
    const model = { reranking_enable: false, score_threshold_enabled: false, search_method: 'semantic_search', top_k: 7 };
    const answer = await service([dataset('d1', 'high_quality'), dataset('d2', 'economy')], 3).retrieve(request(model));
    expect(answer.records).toHaveLength(3);
    const [span] = recorder.named('weft.retrieval');
    expect(span!.attributes).toEqual({
      'weft.retrieval.dataset_ids': ['d1', 'd2'],
      // The economy dataset has no vectors: it is searched by full text whatever the request says.
      'weft.retrieval.hits': 3,
      'weft.retrieval.search_method': 'full_text_search,semantic_search',
      'weft.retrieval.top_k': 7,
      'weft.workspace.id': WORKSPACE,
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks a retrieval that fails as an error', async () => {
    await expect(service([], 0).retrieve(request(null))).rejects.toThrow();
    const [span] = recorder.named('weft.retrieval');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['weft.retrieval.hits']).toBeUndefined();
  });
});
