import {
  DEFAULT_DATASET_RETRIEVAL_MODEL,
  MetadataFilteringConditionsSchema,
  RetrievalModel,
  RetrievalParamError,
} from './retrieval-model.types';
import { effectiveScoreThreshold, parseRetrievalModel, planHybridFusion } from './retrieval-model.util';

function errorOf(fn: () => unknown): RetrievalParamError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RetrievalParamError) return error;
    throw error;
  }
  throw new Error('expected a RetrievalParamError');
}

const parse = (input: unknown): RetrievalModel => parseRetrievalModel(input, DEFAULT_DATASET_RETRIEVAL_MODEL);

describe('parseRetrievalModel', () => {
  it('fills Dify’s retrieve defaults into an empty model', () => {
    expect(parse({})).toEqual({
      metadata_filtering_conditions: null,
      reranking_enable: false,
      reranking_mode: 'reranking_model',
      reranking_model: { reranking_model_name: '', reranking_provider_name: '' },
      score_threshold: null,
      score_threshold_enabled: false,
      search_method: 'semantic_search',
      top_k: 4,
      weights: null,
    });
  });

  it('uses the fallback when there is no model at all', () => {
    expect(parse(undefined)).toBe(DEFAULT_DATASET_RETRIEVAL_MODEL);
    expect(parse(null)).toBe(DEFAULT_DATASET_RETRIEVAL_MODEL);
    expect(DEFAULT_DATASET_RETRIEVAL_MODEL.top_k).toBe(2);
  });

  it('treats null fields as unset', () => {
    const model = parse({ search_method: null, reranking_enable: null, top_k: null, reranking_model: null, score_threshold_enabled: null });
    expect(model).toMatchObject({ search_method: 'semantic_search', reranking_enable: false, top_k: 4, score_threshold_enabled: false });
    expect(model.reranking_model).toEqual({ reranking_model_name: '', reranking_provider_name: '' });
  });

  it('keeps a full hybrid model as sent and drops unknown keys', () => {
    const input = {
      search_method: 'hybrid_search',
      reranking_enable: true,
      reranking_mode: 'weighted_score',
      reranking_model: { reranking_provider_name: 'cohere', reranking_model_name: 'rerank-v3.5' },
      weights: {
        weight_type: 'customized',
        vector_setting: { vector_weight: 0.7, embedding_provider_name: 'openai', embedding_model_name: 'text-embedding-3-small' },
        keyword_setting: { keyword_weight: 0.3 },
      },
      top_k: 10,
      score_threshold_enabled: true,
      score_threshold: 0.5,
      metadata_filtering_conditions: { logical_operator: 'or', conditions: [{ name: 'year', comparison_operator: '>=', value: 2020 }] },
      surprise: true,
    };
    const model = parse(input);
    expect(model).not.toHaveProperty('surprise');
    expect(model).toMatchObject({ search_method: 'hybrid_search', reranking_mode: 'weighted_score', top_k: 10, score_threshold: 0.5 });
    expect(model.weights?.vector_setting).toEqual({
      vector_weight: 0.7,
      embedding_provider_name: 'openai',
      embedding_model_name: 'text-embedding-3-small',
    });
    expect(model.metadata_filtering_conditions).toEqual({
      logical_operator: 'or',
      conditions: [{ name: 'year', comparison_operator: '≥', value: 2020 }],
    });
  });

  it.each<[string, unknown, string]>([
    ['an unknown search method', { search_method: 'fuzzy_search' }, 'Invalid retrieval_model.search_method: '],
    ['a fractional top_k', { top_k: 2.5 }, 'Invalid retrieval_model.top_k: '],
    ['a zero top_k', { top_k: 0 }, 'Invalid retrieval_model.top_k: '],
    ['a top_k above 100', { top_k: 101 }, 'Invalid retrieval_model.top_k: '],
    ['a string top_k', { top_k: '5' }, 'Invalid retrieval_model.top_k: '],
    ['a non-boolean reranking_enable', { reranking_enable: 'yes' }, 'Invalid retrieval_model.reranking_enable: '],
    ['an unknown reranking mode', { reranking_mode: 'magic' }, 'Invalid retrieval_model.reranking_mode: '],
    [
      'a weight above 1',
      { weights: { vector_setting: { vector_weight: 1.5 }, keyword_setting: { keyword_weight: 0 } } },
      'Invalid retrieval_model.weights.vector_setting.vector_weight: ',
    ],
    [
      'a negative keyword weight',
      { weights: { keyword_setting: { keyword_weight: -0.1 } } },
      'Invalid retrieval_model.weights.keyword_setting.keyword_weight: ',
    ],
    [
      'weighted_score without weights',
      { search_method: 'hybrid_search', reranking_mode: 'weighted_score' },
      'Invalid retrieval_model.weights: weights with vector_setting and keyword_setting are required for weighted_score',
    ],
    ['a string score_threshold', { score_threshold: '0.5' }, 'Invalid retrieval_model.score_threshold: '],
    [
      'an unknown metadata operator',
      { metadata_filtering_conditions: { conditions: [{ name: 'a', comparison_operator: 'like', value: 'x' }] } },
      'Invalid retrieval_model.metadata_filtering_conditions.conditions.0.comparison_operator: ',
    ],
    [
      'an unknown logical operator',
      { metadata_filtering_conditions: { logical_operator: 'xor', conditions: [] } },
      'Invalid retrieval_model.metadata_filtering_conditions.logical_operator: ',
    ],
    [
      'an object metadata value',
      { metadata_filtering_conditions: { conditions: [{ name: 'a', comparison_operator: 'is', value: {} }] } },
      'Invalid retrieval_model.metadata_filtering_conditions.conditions.0.value: ',
    ],
    ['a model that is not an object', 'semantic_search', 'Invalid retrieval_model: '],
  ])('rejects %s', (_name, input, prefix) => {
    const error = errorOf(() => parse(input));
    expect(error.message.startsWith(prefix)).toBe(true);
    expect(error.code).toBe('invalid_param');
  });

  it('accepts weighted_score without weights outside hybrid search', () => {
    expect(parse({ search_method: 'semantic_search', reranking_mode: 'weighted_score' }).reranking_mode).toBe('weighted_score');
  });
});

describe('MetadataFilteringConditionsSchema', () => {
  it('defaults the logical operator to and and the conditions to none', () => {
    expect(MetadataFilteringConditionsSchema.parse({})).toEqual({ logical_operator: 'and', conditions: [] });
    expect(MetadataFilteringConditionsSchema.parse({ logical_operator: null, conditions: null })).toEqual({
      logical_operator: 'and',
      conditions: [],
    });
  });

  it('accepts string, number, list and missing values and maps ASCII operators', () => {
    const parsed = MetadataFilteringConditionsSchema.parse({
      conditions: [
        { name: 'a', comparison_operator: 'in', value: ['x', 1] },
        { name: 'b', comparison_operator: '!=', value: 3 },
        { name: 'c', comparison_operator: 'empty' },
        { name: 'd', comparison_operator: '<=', value: '4' },
      ],
    });
    expect(parsed.conditions.map((condition) => condition.comparison_operator)).toEqual(['in', '≠', 'empty', '≤']);
  });

  it('rejects more than 100 conditions and empty names', () => {
    expect(
      MetadataFilteringConditionsSchema.safeParse({
        conditions: Array.from({ length: 101 }, () => ({ name: 'a', comparison_operator: 'empty' })),
      }).success,
    ).toBe(false);
    expect(MetadataFilteringConditionsSchema.safeParse({ conditions: [{ name: '', comparison_operator: 'empty' }] }).success).toBe(false);
  });
});

describe('effectiveScoreThreshold', () => {
  it('is null when disabled, the value when enabled, and 0 when enabled without a value', () => {
    expect(effectiveScoreThreshold({ score_threshold_enabled: false, score_threshold: 0.8 })).toBeNull();
    expect(effectiveScoreThreshold({ score_threshold_enabled: true, score_threshold: 0.8 })).toBe(0.8);
    expect(effectiveScoreThreshold({ score_threshold_enabled: true, score_threshold: null })).toBe(0);
  });
});

describe('planHybridFusion', () => {
  const weights = {
    weight_type: null,
    vector_setting: { vector_weight: 0.6, embedding_provider_name: '', embedding_model_name: '' },
    keyword_setting: { keyword_weight: 0.4 },
  };

  it('uses the weights for weighted_score, with or without reranking_enable', () => {
    expect(planHybridFusion(parse({ search_method: 'hybrid_search', reranking_mode: 'weighted_score', weights }))).toEqual({
      kind: 'weighted_score',
      vectorWeight: 0.6,
      keywordWeight: 0.4,
    });
    expect(
      planHybridFusion(parse({ search_method: 'hybrid_search', reranking_enable: true, reranking_mode: 'weighted_score', weights })).kind,
    ).toBe('weighted_score');
  });

  it('uses the reranking model only when enabled and named', () => {
    const reranking_model = { reranking_provider_name: 'cohere', reranking_model_name: 'rerank-v3.5' };
    expect(planHybridFusion(parse({ search_method: 'hybrid_search', reranking_enable: true, reranking_model }))).toEqual({
      kind: 'reranking_model',
      providerName: 'cohere',
      modelName: 'rerank-v3.5',
    });
    expect(planHybridFusion(parse({ search_method: 'hybrid_search', reranking_enable: false, reranking_model })).kind).toBe(
      'reciprocal_rank',
    );
    expect(planHybridFusion(parse({ search_method: 'hybrid_search', reranking_enable: true })).kind).toBe('reciprocal_rank');
  });

  it('falls back to reciprocal rank fusion', () => {
    expect(planHybridFusion(parse({ search_method: 'hybrid_search' }))).toEqual({ kind: 'reciprocal_rank' });
  });
});
