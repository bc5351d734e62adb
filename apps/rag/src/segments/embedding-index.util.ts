/**
 * Embedding sizes that have an HNSW index on `rag.segments` (pgvector indexes `vector` up to 2000
 * dimensions); other sizes are searched exactly. Migrations that add an index add its size here.
 */
export const INDEXED_EMBEDDING_DIMENSIONS = [384, 512, 768, 1024, 1536] as const;
