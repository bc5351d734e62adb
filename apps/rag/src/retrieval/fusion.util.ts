import { RetrievalParamError } from './retrieval-model.types';

// Combining and trimming ranked lists of segments. Scores are "higher is better" throughout: a
// semantic hit's score is the cosine similarity (pgvector: 1 - (embedding <=> query)), a keyword
// hit's score is its full-text rank (ts_rank / ts_rank_cd), which has no fixed upper bound.

/** One hit of a ranked list: a segment id and that list's score for it. */
export interface ScoredHit {
  id: string;
  score: number;
}

/** A segment found by reciprocal rank fusion, with its 1-based rank in each input list (null where absent). */
export interface RankFusionHit<T extends ScoredHit = ScoredHit> {
  /** The hit as it appeared in each list, or null where the list did not have it. */
  hits: (T | null)[];
  id: string;
  ranks: (number | null)[];
  score: number;
}

/** A segment of a hybrid search, with the scores that went into its final score. */
export interface HybridHit {
  id: string;
  /** The keyword score after normalization (divided by the best keyword score), or null when not found by keyword. */
  keywordScore: number | null;
  score: number;
  /** The semantic score as given, or null when not found by the vector search. */
  semanticScore: number | null;
}

/** The constant of reciprocal rank fusion, from Cormack, Clarke and Büttcher (2009). */
export const RRF_K = 60;

/** What to keep of a ranked list: at most `topK`, none scoring under `scoreThreshold` (when set). */
export interface SelectionOptions {
  scoreThreshold: number | null;
  topK: number;
}

function assertFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RetrievalParamError(`${what} must be a finite number, got ${String(value)}`);
}

// Higher score first; equal scores in id order, so the same inputs always give the same order.
function byScoreThenId(a: { id: string; score: number }, b: { id: string; score: number }): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Reciprocal rank fusion: each segment scores the sum over the lists that contain it of
 * `weight / (k + rank)`, rank counted from 1 in the order given (best first). A list holding an id
 * twice counts its first, better-ranked occurrence. Sorted by fused score, ties broken by id.
 */
export function reciprocalRankFusion<T extends ScoredHit>(
  lists: readonly (readonly T[])[],
  options: { k?: number; weights?: readonly number[] } = {},
): RankFusionHit<T>[] {
  const k = options.k ?? RRF_K;
  if (!Number.isFinite(k) || k <= 0) throw new RetrievalParamError(`RRF k must be a positive number, got ${String(k)}`);
  const weights = options.weights ?? lists.map(() => 1);
  if (weights.length !== lists.length) throw new RetrievalParamError(`Expected ${lists.length} RRF weights, got ${weights.length}`);
  for (const weight of weights) {
    if (!Number.isFinite(weight) || weight < 0)
      throw new RetrievalParamError(`RRF weights must be non-negative numbers, got ${String(weight)}`);
  }
  const fused = new Map<string, RankFusionHit<T>>();
  lists.forEach((list, listIndex) => {
    list.forEach((hit, position) => {
      let entry = fused.get(hit.id);
      if (!entry) {
        entry = { hits: lists.map(() => null), id: hit.id, ranks: lists.map(() => null), score: 0 };
        fused.set(hit.id, entry);
      }
      if (entry.ranks[listIndex] !== null) return;
      entry.ranks[listIndex] = position + 1;
      entry.hits[listIndex] = hit;
      entry.score += weights[listIndex] / (k + position + 1);
    });
  });
  return [...fused.values()].sort(byScoreThenId);
}

/** Keyword scores divided by the best one, so the best keyword hit scores 1 and the rest fall in [0, 1]. */
export function normalizeKeywordScores<T extends ScoredHit>(hits: readonly T[]): T[] {
  for (const hit of hits) assertFinite(hit.score, 'A keyword score');
  const best = Math.max(0, ...hits.map((hit) => hit.score));
  return hits.map((hit) => ({ ...hit, score: best > 0 ? Math.max(0, hit.score) / best : 0 }));
}

/**
 * Keeps one hit per id, the one with the highest score (the first on a tie), in the order the kept
 * hits first appeared.
 */
export function dedupeById<T extends ScoredHit>(hits: readonly T[]): T[] {
  const best = new Map<string, { hit: T; order: number }>();
  hits.forEach((hit, order) => {
    const current = best.get(hit.id);
    if (!current) best.set(hit.id, { hit, order });
    else if (hit.score > current.hit.score) best.set(hit.id, { hit, order: current.order });
  });
  return [...best.values()].sort((a, b) => a.order - b.order).map((entry) => entry.hit);
}

/** Drops hits scoring below the threshold (a hit equal to it stays, as in Dify); a null threshold keeps all. */
export function applyScoreThreshold<T extends { score: number }>(hits: readonly T[], threshold: number | null): T[] {
  if (threshold === null) return [...hits];
  assertFinite(threshold, 'score_threshold');
  return hits.filter((hit) => hit.score >= threshold);
}

/** The first `topK` hits. */
export function takeTopK<T>(hits: readonly T[], topK: number): T[] {
  if (!Number.isInteger(topK) || topK < 0) throw new RetrievalParamError(`top_k must be a non-negative integer, got ${String(topK)}`);
  return hits.slice(0, topK);
}

/**
 * The final cut of a result list: one hit per segment id (its best score), sorted by score (ties by
 * id), those under the threshold dropped, then the top K. This is also how the results of several
 * datasets merge into one list.
 */
export function selectTopHits<T extends ScoredHit>(hits: readonly T[], options: SelectionOptions): T[] {
  for (const hit of hits) assertFinite(hit.score, 'A hit score');
  const ranked = dedupeById(hits).sort(byScoreThenId);
  return takeTopK(applyScoreThreshold(ranked, options.scoreThreshold), options.topK);
}

/**
 * Dify's `weighted_score`: `vector_weight * semantic + keyword_weight * keyword` for every segment
 * either search found, the keyword score normalized by `normalizeKeywordScores` and the semantic score
 * clamped to [0, 1] (a cosine can be negative). A segment missing from a list scores 0 there: Dify
 * computes the cosine of every candidate, so callers should fill in semantic scores of keyword-only
 * hits (one `1 - (embedding <=> $query)` over those ids) before fusing. Sorted, ties by id.
 */
export function weightedScoreFusion(
  semantic: readonly ScoredHit[],
  keyword: readonly ScoredHit[],
  weights: { keywordWeight: number; vectorWeight: number },
): HybridHit[] {
  const { keywordWeight, vectorWeight } = weights;
  for (const [name, value] of [
    ['vector_weight', vectorWeight],
    ['keyword_weight', keywordWeight],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RetrievalParamError(`${name} must be a non-negative number, got ${String(value)}`);
  }
  for (const hit of semantic) assertFinite(hit.score, 'A semantic score');
  const semanticScores = new Map(dedupeById(semantic).map((hit) => [hit.id, hit.score]));
  const keywordScores = new Map(normalizeKeywordScores(dedupeById(keyword)).map((hit) => [hit.id, hit.score]));
  const ids = new Set([...semanticScores.keys(), ...keywordScores.keys()]);
  return [...ids]
    .map((id) => {
      const semanticScore = semanticScores.get(id) ?? null;
      const keywordScore = keywordScores.get(id) ?? null;
      const score = vectorWeight * Math.min(1, Math.max(0, semanticScore ?? 0)) + keywordWeight * (keywordScore ?? 0);
      return { id, keywordScore, score, semanticScore };
    })
    .sort(byScoreThenId);
}

/** How `fuseHybrid` combines the two lists. */
export type HybridFusion =
  { kind: 'reciprocal_rank'; k?: number } | { keywordWeight: number; kind: 'weighted_score'; vectorWeight: number };

/**
 * The result of a hybrid search from its semantic and keyword lists (each best first).
 *
 * `weighted_score`: Dify's formula, then the threshold on the combined score and the top K.
 *
 * `reciprocal_rank`: a fused rank score has no scale a user's threshold could mean, so the threshold
 * (a similarity, as users set it in Dify) filters each list before fusion: semantic hits by cosine,
 * keyword hits by normalized keyword score. The fused score is then divided by its largest possible
 * value (a segment ranked first in both lists), so records still carry a score in (0, 1].
 */
export function fuseHybrid(
  semantic: readonly ScoredHit[],
  keyword: readonly ScoredHit[],
  fusion: HybridFusion,
  options: SelectionOptions,
): HybridHit[] {
  if (fusion.kind === 'weighted_score') return selectTopHits(weightedScoreFusion(semantic, keyword, fusion), options);
  const k = fusion.k ?? RRF_K;
  const normalizedKeyword = normalizeKeywordScores(dedupeById(keyword));
  const semanticKept = applyScoreThreshold(dedupeById(semantic), options.scoreThreshold);
  const keywordKept = applyScoreThreshold(normalizedKeyword, options.scoreThreshold);
  const best = 2 / (k + 1);
  const fused = reciprocalRankFusion([semanticKept, keywordKept], { k }).map((hit): HybridHit => ({
    id: hit.id,
    keywordScore: hit.hits[1]?.score ?? null,
    score: hit.score / best,
    semanticScore: hit.hits[0]?.score ?? null,
  }));
  return takeTopK(fused, options.topK);
}
