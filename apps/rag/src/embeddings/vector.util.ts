/** Cosine similarity of two vectors of the same length; 0 when either is all zeros. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`Vectors differ in length: ${a.length} and ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  if (normA === 0 || normB === 0) return 0;
  return dot / Math.sqrt(normA * normB);
}

/** Scales a vector to unit length in place and returns it; an all-zero vector stays as it is. */
export function normalizeInPlace<T extends { length: number; [index: number]: number }>(vector: T): T {
  let norm = 0;
  for (let i = 0; i < vector.length; i += 1) norm += vector[i] * vector[i];
  if (norm === 0) return vector;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i += 1) vector[i] *= scale;
  return vector;
}

/** Largest magnitude a vector component may have: half precision's, which the HNSW indexes hold (`halfvec`). */
export const MAX_VECTOR_COMPONENT = 65504;

/**
 * A vector as pgvector's text input, `[0.1,-0.2,...]`, to bind as a parameter (`$1::vector`).
 * Rejects NaN and infinities, which pgvector refuses, and components beyond half precision's range,
 * which the indexes' `halfvec` cast would refuse (no embedding model comes near it).
 */
export function toVectorLiteral(vector: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let i = 0; i < vector.length; i += 1) {
    const value = vector[i];
    if (!Number.isFinite(value)) throw new RangeError(`Vector component ${i} is not a finite number`);
    if (Math.abs(value) > MAX_VECTOR_COMPONENT)
      throw new RangeError(`Vector component ${i} (${value}) is beyond ±${MAX_VECTOR_COMPONENT}, the range of the half-precision index`);
    parts.push(String(value));
  }
  return `[${parts.join(',')}]`;
}
