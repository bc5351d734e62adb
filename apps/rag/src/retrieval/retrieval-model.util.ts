import type { ZodError } from 'zod';
import { RetrievalModel, RetrievalModelSchema, RetrievalParamError } from './retrieval-model.types';

function describeIssue(error: ZodError): string {
  const issue = error.issues[0];
  const path = ['retrieval_model', ...issue.path].join('.');
  return `Invalid ${path}: ${issue.message}`;
}

/**
 * A request's `retrieval_model` with Dify's defaults filled in. No model at all (null, undefined) gives
 * `fallback`, the dataset's stored model, as Dify's retrieve endpoint does. Throws a
 * `RetrievalParamError` (400 `invalid_param`) naming the first bad field.
 */
export function parseRetrievalModel(input: unknown, fallback: RetrievalModel): RetrievalModel {
  if (input === undefined || input === null) return fallback;
  const parsed = RetrievalModelSchema.safeParse(input);
  if (!parsed.success) throw new RetrievalParamError(describeIssue(parsed.error));
  return parsed.data;
}

/** The score below which records are dropped, or null when the threshold is off; Dify uses 0 when it is on but unset. */
export function effectiveScoreThreshold(model: Pick<RetrievalModel, 'score_threshold' | 'score_threshold_enabled'>): number | null {
  return model.score_threshold_enabled ? (model.score_threshold ?? 0) : null;
}

/** How the results of a hybrid search are combined. */
export type HybridFusionPlan =
  | { kind: 'weighted_score'; keywordWeight: number; vectorWeight: number }
  | { kind: 'reranking_model'; modelName: string; providerName: string }
  | { kind: 'reciprocal_rank' };

/**
 * How to combine a hybrid search's two lists, following Dify: `weighted_score` applies its weights
 * whether or not `reranking_enable` is set (Dify's hybrid path reads `reranking_mode` and `weights`
 * directly); a reranking model applies only when enabled and named. Otherwise Dify would just
 * concatenate the lists; Weft fuses them by reciprocal rank instead.
 */
export function planHybridFusion(model: RetrievalModel): HybridFusionPlan {
  const vector = model.weights?.vector_setting;
  const keyword = model.weights?.keyword_setting;
  if (model.reranking_mode === 'weighted_score' && vector && keyword) {
    return { kind: 'weighted_score', keywordWeight: keyword.keyword_weight, vectorWeight: vector.vector_weight };
  }
  const { reranking_model_name: modelName, reranking_provider_name: providerName } = model.reranking_model;
  if (model.reranking_enable && model.reranking_mode === 'reranking_model' && modelName !== '' && providerName !== '') {
    return { kind: 'reranking_model', modelName, providerName };
  }
  return { kind: 'reciprocal_rank' };
}
