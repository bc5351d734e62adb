/** What enabling or disabling annotation reply asks for (Dify's `{action}` path word). */
export type AnnotationReplyAction = 'enable' | 'disable';

/** The action a path word names, or null for any other word (Dify refuses those). */
export function replyActionOf(word: string): AnnotationReplyAction | null {
  return word === 'enable' || word === 'disable' ? word : null;
}

/** The score a query must reach: Dify reads a threshold of 0 (or none) as 1, an exact match (`score_threshold or 1`). */
export function effectiveThreshold(threshold: number | null | undefined): number {
  return threshold ? threshold : 1;
}

/** Whether a question this close (cosine similarity, 1 is the same direction) answers the query; NaN never does. */
export function isCloseEnough(score: number, threshold: number | null | undefined): boolean {
  return Number.isFinite(score) && score >= effectiveThreshold(threshold);
}

/** Limits of one embedding request over the bus: how many texts, and how many characters in all. */
export interface BatchLimits {
  maxChars: number;
  maxTexts: number;
}

/**
 * Splits texts (by index) into batches within the limits, in order; a text longer than `maxChars` goes alone,
 * so every text is embedded whatever its length.
 */
export function embeddingBatches(texts: readonly string[], limits: BatchLimits): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let chars = 0;
  texts.forEach((text, index) => {
    if (current.length > 0 && (current.length >= limits.maxTexts || chars + text.length > limits.maxChars)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(index);
    chars += text.length;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/** An ILIKE pattern matching `keyword` anywhere, its own `%`, `_` and `\` taken literally. */
export function containsPattern(keyword: string): string {
  return `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A vector as pgvector reads it: `[0.1,0.2]`. */
export function vectorLiteral(values: readonly number[]): string {
  return `[${values.join(',')}]`;
}
