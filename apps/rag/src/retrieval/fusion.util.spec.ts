import {
  applyScoreThreshold,
  dedupeById,
  fuseHybrid,
  normalizeKeywordScores,
  reciprocalRankFusion,
  RRF_K,
  ScoredHit,
  selectTopHits,
  takeTopK,
  weightedScoreFusion,
} from './fusion.util';
import { RetrievalParamError } from './retrieval-model.types';

const hit = (id: string, score: number): ScoredHit => ({ id, score });

describe('reciprocalRankFusion', () => {
  it('sums 1/(60 + rank) over the lists that hold a segment', () => {
    const fused = reciprocalRankFusion([
      [hit('a', 0.9), hit('b', 0.8), hit('c', 0.7)],
      [hit('c', 5), hit('a', 3)],
    ]);
    expect(RRF_K).toBe(60);
    expect(fused.map((entry) => entry.id)).toEqual(['a', 'c', 'b']);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[1].score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[2].score).toBeCloseTo(1 / 62, 12);
    expect(fused[0].ranks).toEqual([1, 2]);
    expect(fused[2].ranks).toEqual([2, null]);
    expect(fused[1].hits).toEqual([hit('c', 0.7), hit('c', 5)]);
  });

  it('ranks by position in each list, not by the list’s scores', () => {
    const fused = reciprocalRankFusion([[hit('low', 0.1), hit('high', 0.9)]]);
    expect(fused.map((entry) => entry.id)).toEqual(['low', 'high']);
  });

  it('counts only the first occurrence of an id within a list', () => {
    const fused = reciprocalRankFusion([[hit('a', 1), hit('a', 1), hit('b', 1)]]);
    expect(fused.find((entry) => entry.id === 'a')?.score).toBeCloseTo(1 / 61, 12);
    expect(fused.find((entry) => entry.id === 'b')?.ranks).toEqual([3]);
  });

  it('takes k and per-list weights', () => {
    const fused = reciprocalRankFusion([[hit('a', 1)], [hit('b', 1)]], { k: 1, weights: [1, 3] });
    expect(fused.map((entry) => [entry.id, entry.score])).toEqual([
      ['b', 1.5],
      ['a', 0.5],
    ]);
  });

  it('breaks ties by id so the order is stable', () => {
    const fused = reciprocalRankFusion([[hit('z', 1)], [hit('m', 1)], [hit('a', 1)]]);
    expect(fused.map((entry) => entry.id)).toEqual(['a', 'm', 'z']);
  });

  it('rejects a bad k or bad weights', () => {
    expect(() => reciprocalRankFusion([[]], { k: 0 })).toThrow(RetrievalParamError);
    expect(() => reciprocalRankFusion([[]], { k: Number.NaN })).toThrow(RetrievalParamError);
    expect(() => reciprocalRankFusion([[], []], { weights: [1] })).toThrow('Expected 2 RRF weights, got 1');
    expect(() => reciprocalRankFusion([[]], { weights: [-1] })).toThrow(RetrievalParamError);
  });

  it('returns nothing for no hits', () => {
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });
});

describe('normalizeKeywordScores', () => {
  it('divides by the best score', () => {
    expect(normalizeKeywordScores([hit('a', 0.4), hit('b', 0.1), hit('c', 0)])).toEqual([hit('a', 1), hit('b', 0.25), hit('c', 0)]);
  });

  it('gives zeros when no score is positive, and clamps negatives', () => {
    expect(normalizeKeywordScores([hit('a', 0), hit('b', 0)])).toEqual([hit('a', 0), hit('b', 0)]);
    expect(normalizeKeywordScores([hit('a', 2), hit('b', -1)])).toEqual([hit('a', 1), hit('b', 0)]);
  });

  it('rejects a non-finite score', () => {
    expect(() => normalizeKeywordScores([hit('a', Number.POSITIVE_INFINITY)])).toThrow(RetrievalParamError);
  });
});

describe('dedupeById', () => {
  it('keeps the best-scoring hit of each id where the id first appeared', () => {
    const hits = [
      { ...hit('a', 0.2), from: 1 },
      { ...hit('b', 0.5), from: 2 },
      { ...hit('a', 0.9), from: 3 },
      { ...hit('b', 0.5), from: 4 },
    ];
    expect(dedupeById(hits)).toEqual([
      { ...hit('a', 0.9), from: 3 },
      { ...hit('b', 0.5), from: 2 },
    ]);
  });
});

describe('applyScoreThreshold and takeTopK', () => {
  it('keeps hits at or above the threshold', () => {
    expect(applyScoreThreshold([hit('a', 0.5), hit('b', 0.49), hit('c', 0.8)], 0.5).map((h) => h.id)).toEqual(['a', 'c']);
    expect(applyScoreThreshold([hit('a', 0.1)], null)).toEqual([hit('a', 0.1)]);
  });

  it('rejects a non-finite threshold', () => {
    expect(() => applyScoreThreshold([], Number.NaN)).toThrow('score_threshold must be a finite number, got NaN');
  });

  it('cuts to top K and rejects a bad K', () => {
    expect(takeTopK([1, 2, 3], 2)).toEqual([1, 2]);
    expect(takeTopK([1, 2, 3], 0)).toEqual([]);
    expect(() => takeTopK([1], -1)).toThrow(RetrievalParamError);
    expect(() => takeTopK([1], 1.5)).toThrow(RetrievalParamError);
  });
});

describe('selectTopHits', () => {
  it('dedupes, sorts, applies the threshold and then the top K', () => {
    const hits = [hit('a', 0.3), hit('b', 0.9), hit('c', 0.6), hit('a', 0.95), hit('d', 0.61), hit('e', 0.1)];
    expect(selectTopHits(hits, { topK: 3, scoreThreshold: 0.5 })).toEqual([hit('a', 0.95), hit('b', 0.9), hit('d', 0.61)]);
    expect(selectTopHits(hits, { topK: 10, scoreThreshold: 0.62 }).map((h) => h.id)).toEqual(['a', 'b']);
    expect(selectTopHits(hits, { topK: 10, scoreThreshold: null })).toHaveLength(5);
  });

  it('merges the results of several datasets into one ranking', () => {
    const first = [hit('d1-s1', 0.8), hit('d1-s2', 0.4)];
    const second = [hit('d2-s1', 0.7), hit('d2-s2', 0.6)];
    expect(selectTopHits([...first, ...second], { topK: 3, scoreThreshold: null }).map((h) => h.id)).toEqual(['d1-s1', 'd2-s1', 'd2-s2']);
  });

  it('rejects non-finite scores', () => {
    expect(() => selectTopHits([hit('a', Number.NaN)], { topK: 1, scoreThreshold: null })).toThrow(RetrievalParamError);
  });
});

describe('weightedScoreFusion', () => {
  it('combines vector_weight * semantic + keyword_weight * normalized keyword', () => {
    const fused = weightedScoreFusion([hit('a', 0.8), hit('b', 0.6)], [hit('b', 2), hit('c', 1)], {
      vectorWeight: 0.7,
      keywordWeight: 0.3,
    });
    expect(fused).toEqual([
      { id: 'b', score: 0.7 * 0.6 + 0.3 * 1, semanticScore: 0.6, keywordScore: 1 },
      { id: 'a', score: 0.7 * 0.8, semanticScore: 0.8, keywordScore: null },
      { id: 'c', score: 0.3 * 0.5, semanticScore: null, keywordScore: 0.5 },
    ]);
  });

  it('follows the weights: keyword-first and semantic-first rank differently', () => {
    const semantic = [hit('s', 0.9), hit('k', 0.2)];
    const keyword = [hit('k', 3), hit('s', 0.3)];
    expect(weightedScoreFusion(semantic, keyword, { vectorWeight: 1, keywordWeight: 0 })[0].id).toBe('s');
    expect(weightedScoreFusion(semantic, keyword, { vectorWeight: 0, keywordWeight: 1 })[0].id).toBe('k');
  });

  it('clamps semantic scores to [0, 1] and dedupes each list', () => {
    const fused = weightedScoreFusion([hit('a', -0.3), hit('b', 1.2), hit('b', 0.1)], [], { vectorWeight: 1, keywordWeight: 0 });
    expect(fused.map((h) => [h.id, h.score, h.semanticScore])).toEqual([
      ['b', 1, 1.2],
      ['a', 0, -0.3],
    ]);
  });

  it.each([
    [{ vectorWeight: -0.1, keywordWeight: 1 }, 'vector_weight must be a non-negative number, got -0.1'],
    [{ vectorWeight: 0.5, keywordWeight: Number.NaN }, 'keyword_weight must be a non-negative number, got NaN'],
  ])('rejects weights %j', (weights, message) => {
    expect(() => weightedScoreFusion([], [], weights)).toThrow(message);
  });
});

describe('fuseHybrid', () => {
  const semantic = [hit('a', 0.9), hit('b', 0.55), hit('c', 0.2)];
  const keyword = [hit('c', 4), hit('d', 2), hit('a', 1)];

  it('weighted_score applies the threshold to the combined score, then top K', () => {
    const result = fuseHybrid(
      semantic,
      keyword,
      { kind: 'weighted_score', vectorWeight: 0.5, keywordWeight: 0.5 },
      { topK: 2, scoreThreshold: 0.5 },
    );
    expect(result.map((h) => [h.id, h.score])).toEqual([
      ['c', 0.6],
      ['a', 0.575],
    ]);
    expect(
      fuseHybrid(
        semantic,
        keyword,
        { kind: 'weighted_score', vectorWeight: 0.5, keywordWeight: 0.5 },
        { topK: 10, scoreThreshold: 0.58 },
      ).map((h) => h.id),
    ).toEqual(['c']);
  });

  it('reciprocal_rank fuses both lists with scores scaled to (0, 1]', () => {
    const result = fuseHybrid(semantic, keyword, { kind: 'reciprocal_rank' }, { topK: 10, scoreThreshold: null });
    expect(result.map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(result[0].score).toBeCloseTo((1 / 61 + 1 / 63) / (2 / 61), 12);
    expect(result[0]).toMatchObject({ semanticScore: 0.9, keywordScore: 0.25 });
    expect(result[3]).toMatchObject({ id: 'd', semanticScore: null, keywordScore: 0.5 });
    expect(result.every((h) => h.score > 0 && h.score <= 1)).toBe(true);
  });

  it('gives a segment ranked first in both lists a score of 1', () => {
    const result = fuseHybrid([hit('x', 0.7)], [hit('x', 0.2)], { kind: 'reciprocal_rank' }, { topK: 1, scoreThreshold: null });
    expect(result).toEqual([{ id: 'x', score: 1, semanticScore: 0.7, keywordScore: 1 }]);
  });

  it('reciprocal_rank applies the threshold to each list before fusion', () => {
    // Semantically only a (0.9) reaches 0.6; by normalized keyword score only c (1) does: d is 0.5, a 0.25.
    const result = fuseHybrid(semantic, keyword, { kind: 'reciprocal_rank' }, { topK: 10, scoreThreshold: 0.6 });
    expect(result.map((h) => [h.id, h.semanticScore, h.keywordScore])).toEqual([
      ['a', 0.9, null],
      ['c', null, 1],
    ]);
  });

  it('reciprocal_rank takes k and cuts to top K', () => {
    const result = fuseHybrid(semantic, keyword, { kind: 'reciprocal_rank', k: 1 }, { topK: 1, scoreThreshold: null });
    expect(result).toHaveLength(1);
    expect(result[0].score).toBeCloseTo((1 / 2 + 1 / 4) / 1, 12);
  });
});
