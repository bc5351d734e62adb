/**
 * Embedding sizes that have an HNSW index on `rag.segments` and `rag.child_chunks`; other sizes are
 * searched exactly. Migrations that add an index add its size here.
 */
export const INDEXED_EMBEDDING_DIMENSIONS = [384, 512, 768, 1024, 1536, 3072] as const;

/**
 * The indexed expression and its operator class: a half-precision copy of the vector (pgvector's
 * `halfvec`, indexable up to 4,000 dimensions). Every index on vectors (the shared ones of the
 * migrations, a dataset's own) and every search that should use one must spell it this way.
 */
export function hnswIndexedExpression(dimension: number): string {
  return `(embedding::halfvec(${dimension})) halfvec_cosine_ops`;
}

/**
 * The ORDER BY of an indexed semantic search with the query vector in parameter `$n`: the same cast as
 * the index, so the planner can walk it. The score is computed from the full-precision column instead.
 */
export function hnswOrderBy(dimension: number, parameter: string, alias = 's'): string {
  return `${alias}.embedding::halfvec(${dimension}) <=> ${parameter}::halfvec(${dimension})`;
}
