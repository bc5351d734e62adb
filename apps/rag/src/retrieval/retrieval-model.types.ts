import { DomainError } from '@weft/contracts';
import { z } from 'zod';

/** Dify's `search_method` values. */
export const SEARCH_METHODS = ['semantic_search', 'full_text_search', 'hybrid_search', 'keyword_search'] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

/** Dify's `reranking_mode` values. */
export const RERANKING_MODES = ['reranking_model', 'weighted_score'] as const;
export type RerankingMode = (typeof RERANKING_MODES)[number];

/** The metadata comparison operators of Dify's knowledge retrieval, in Dify's spelling. */
export const METADATA_COMPARISON_OPERATORS = [
  'contains',
  'not contains',
  'start with',
  'end with',
  'is',
  'is not',
  'empty',
  'not empty',
  'in',
  'not in',
  '=',
  '≠',
  '>',
  '<',
  '≥',
  '≤',
  'before',
  'after',
] as const;
export type MetadataComparisonOperator = (typeof METADATA_COMPARISON_OPERATORS)[number];

/** ASCII spellings some Dify versions and clients send, and the operator each one means. */
export const METADATA_OPERATOR_ALIASES: Readonly<Record<string, MetadataComparisonOperator>> = { '!=': '≠', '>=': '≥', '<=': '≤' };

/** Most conditions one filter may hold; more is a malformed or abusive request. */
export const MAX_METADATA_CONDITIONS = 100;
/** Largest `top_k` accepted: the HNSW search must visit at least this many candidates. */
export const MAX_TOP_K = 100;

/** Dify's retrieve/hit-testing default `top_k` when a request sends none. */
export const DEFAULT_RETRIEVE_TOP_K = 4;

// A field a client may send as null where it means "not set": null becomes the default.
function withDefault<T extends z.ZodTypeAny>(schema: T, fallback: z.input<T>) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.default(fallback));
}

const operator = z.preprocess(
  (value) => (typeof value === 'string' && value in METADATA_OPERATOR_ALIASES ? METADATA_OPERATOR_ALIASES[value] : value),
  z.enum(METADATA_COMPARISON_OPERATORS),
);

const conditionValue = z
  .union([z.string(), z.number().finite(), z.array(z.union([z.string(), z.number().finite()]))])
  .nullable()
  .optional();

/** One metadata condition: `{name, comparison_operator, value}`. */
export const MetadataConditionSchema = z.object({
  comparison_operator: operator,
  name: z.string().min(1).max(255),
  value: conditionValue,
});
export type MetadataCondition = z.infer<typeof MetadataConditionSchema>;

/** Dify's `metadata_filtering_conditions`; `logical_operator` defaults to `and`. */
export const MetadataFilteringConditionsSchema = z.object({
  conditions: withDefault(z.array(MetadataConditionSchema).max(MAX_METADATA_CONDITIONS), []),
  logical_operator: withDefault(z.enum(['and', 'or']), 'and'),
});
export type MetadataFilteringConditions = z.infer<typeof MetadataFilteringConditionsSchema>;

const weight = z.number().finite().min(0).max(1);

/** Dify's `weights` of a hybrid search scored by `weighted_score`. */
export const RetrievalWeightsSchema = z.object({
  keyword_setting: z.object({ keyword_weight: weight }).nullable().default(null),
  vector_setting: z
    .object({
      embedding_model_name: withDefault(z.string(), ''),
      embedding_provider_name: withDefault(z.string(), ''),
      vector_weight: weight,
    })
    .nullable()
    .default(null),
  weight_type: z.enum(['semantic_first', 'keyword_first', 'customized']).nullable().default(null),
});
export type RetrievalWeights = z.infer<typeof RetrievalWeightsSchema>;

/** Dify's `reranking_model`; empty names mean no reranker. */
export const RerankingModelSchema = z.object({
  reranking_model_name: withDefault(z.string(), ''),
  reranking_provider_name: withDefault(z.string(), ''),
});
export type RerankingModel = z.infer<typeof RerankingModelSchema>;

/**
 * Dify's `retrieval_model` with Dify's defaults for what a request leaves out (those of the retrieve
 * endpoint: semantic search, no reranking, top 4, no threshold). Unknown keys are dropped.
 */
export const RetrievalModelSchema = z
  .object({
    metadata_filtering_conditions: MetadataFilteringConditionsSchema.nullable().default(null),
    reranking_enable: withDefault(z.boolean(), false),
    reranking_mode: withDefault(z.enum(RERANKING_MODES), 'reranking_model'),
    reranking_model: withDefault(RerankingModelSchema, { reranking_model_name: '', reranking_provider_name: '' }),
    score_threshold: z.number().finite().nullable().default(null),
    score_threshold_enabled: withDefault(z.boolean(), false),
    search_method: withDefault(z.enum(SEARCH_METHODS), 'semantic_search'),
    top_k: withDefault(z.number().int().min(1).max(MAX_TOP_K), DEFAULT_RETRIEVE_TOP_K),
    weights: RetrievalWeightsSchema.nullable().default(null),
  })
  .superRefine((model, context) => {
    if (
      model.search_method === 'hybrid_search' &&
      model.reranking_mode === 'weighted_score' &&
      (!model.weights?.vector_setting || !model.weights.keyword_setting)
    ) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'weights with vector_setting and keyword_setting are required for weighted_score',
        path: ['weights'],
      });
    }
  });
/** A retrieval model with every default filled in. */
export type RetrievalModel = z.infer<typeof RetrievalModelSchema>;
/** A retrieval model as a client may send it. */
export type RetrievalModelInput = z.input<typeof RetrievalModelSchema>;

/**
 * The retrieval model of a dataset that was created without one: Dify's `Dataset.retrieval_model_dict`
 * default, which asks for the top 2 where the retrieve endpoint's own default asks for 4.
 */
export const DEFAULT_DATASET_RETRIEVAL_MODEL: RetrievalModel = {
  metadata_filtering_conditions: null,
  reranking_enable: false,
  reranking_mode: 'reranking_model',
  reranking_model: { reranking_model_name: '', reranking_provider_name: '' },
  score_threshold: null,
  score_threshold_enabled: false,
  search_method: 'semantic_search',
  top_k: 2,
  weights: null,
};

/** A `retrieval_model` or metadata filter that cannot be used; maps to 400 `invalid_param`. */
export class RetrievalParamError extends DomainError {
  constructor(message: string) {
    super('invalid_param', message);
    this.name = 'RetrievalParamError';
  }
}
