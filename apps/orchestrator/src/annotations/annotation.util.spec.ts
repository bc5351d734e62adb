import { containsPattern, effectiveThreshold, embeddingBatches, isCloseEnough, replyActionOf, vectorLiteral } from './annotation.util';

describe('annotation reply rules', () => {
  it('knows the two actions Dify has and no other word', () => {
    expect(replyActionOf('enable')).toBe('enable');
    expect(replyActionOf('disable')).toBe('disable');
    for (const word of ['Enable', 'enabled', '', 'status', 'enable ']) expect(replyActionOf(word)).toBeNull();
  });

  it('reads a threshold of 0 (or none) as 1, as Dify does (`score_threshold or 1`)', () => {
    expect(effectiveThreshold(0.8)).toBe(0.8);
    expect(effectiveThreshold(0)).toBe(1);
    expect(effectiveThreshold(null)).toBe(1);
    expect(effectiveThreshold(undefined)).toBe(1);
    expect(effectiveThreshold(-0.5)).toBe(-0.5);
  });

  it('answers with a question at or above the threshold, never below, never with NaN', () => {
    expect(isCloseEnough(0.9, 0.9)).toBe(true);
    expect(isCloseEnough(0.95, 0.9)).toBe(true);
    expect(isCloseEnough(0.8999, 0.9)).toBe(false);
    // A threshold of 0 is Dify's 1: only the same direction answers.
    expect(isCloseEnough(0.99, 0)).toBe(false);
    expect(isCloseEnough(1, 0)).toBe(true);
    expect(isCloseEnough(Number.NaN, -1)).toBe(false);
  });
});

describe('embeddingBatches', () => {
  const limits = { maxChars: 10, maxTexts: 3 };

  it('keeps every index once, in order, within both limits', () => {
    const texts = ['aa', 'bb', 'cc', 'dd', 'eeeee', 'ffffff', 'g'];
    const batches = embeddingBatches(texts, limits);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(3);
      expect(batch.reduce((n, i) => n + texts[i]!.length, 0)).toBeLessThanOrEqual(10);
    }
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('sends a text longer than the character limit alone', () => {
    expect(embeddingBatches(['a', 'x'.repeat(50), 'b'], limits)).toEqual([[0], [1], [2]]);
  });

  it('makes no batch of no texts', () => {
    expect(embeddingBatches([], limits)).toEqual([]);
  });
});

describe('containsPattern', () => {
  it('matches the keyword anywhere and takes LIKE wildcards literally', () => {
    expect(containsPattern('tea')).toBe('%tea%');
    expect(containsPattern('50%_off\\now')).toBe('%50\\%\\_off\\\\now%');
    expect(containsPattern('')).toBe('%%');
  });
});

describe('vectorLiteral', () => {
  it('writes pgvector`s text form', () => {
    expect(vectorLiteral([0.5, -1, 2e-7])).toBe('[0.5,-1,2e-7]');
  });
});
