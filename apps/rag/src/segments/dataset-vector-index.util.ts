import { isUuid } from '@weft/contracts';
import { hnswIndexedExpression, INDEXED_EMBEDDING_DIMENSIONS } from './embedding-index.util';

// A dataset's own HNSW index. The shared index of an embedding size (segments_embedding_<dim>_hnsw)
// holds every dataset's vectors; a search of one dataset walks it and drops the other datasets' hits,
// which on `npm run bench:rag` (a dataset of 5,000 among 100,000 segments) costs recall 0.78 at p95 27 ms.
// A partial index over that dataset alone answers the same search at recall 0.97 and p95 5 ms (ef_search
// 150), because the graph holds only the segments that can be answered. The planner picks it by itself
// when the search names the dataset (`dataset_id = $n` is planned with its value: node-postgres sends
// unnamed statements, which Postgres plans for the values bound).

/** The tables whose vectors are searched: segments, and the child chunks of parent-child datasets. */
export const VECTOR_TABLES = ['segments', 'child_chunks'] as const;
export type VectorTable = (typeof VECTOR_TABLES)[number];

const INDEXED = new Set<number>(INDEXED_EMBEDDING_DIMENSIONS);

/** The name of a dataset's index: `<table>_ds_<dataset id without dashes>_<dim>_hnsw` (at most 58 characters). */
export function datasetIndexName(table: VectorTable, datasetId: string, dimension: number): string {
  if (!isUuid(datasetId)) throw new RangeError(`Not a dataset id: ${datasetId}`);
  if (!INDEXED.has(dimension)) throw new RangeError(`No HNSW index for embedding size ${dimension}`);
  return `${table}_ds_${datasetId.replace(/-/g, '').toLowerCase()}_${dimension}_hnsw`;
}

/** The prefix every index of a dataset on `table` starts with, for finding them by name. */
export function datasetIndexPrefix(table: VectorTable, datasetId: string): string {
  if (!isUuid(datasetId)) throw new RangeError(`Not a dataset id: ${datasetId}`);
  return `${table}_ds_${datasetId.replace(/-/g, '').toLowerCase()}_`;
}

/** The dataset id and embedding size a dataset index's name stands for; null for any other index. */
export function parseDatasetIndexName(name: string): { table: VectorTable; datasetId: string; dimension: number } | null {
  const match = /^(segments|child_chunks)_ds_([0-9a-f]{32})_(\d+)_hnsw$/.exec(name);
  if (!match) return null;
  const hex = match[2]!;
  const datasetId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { datasetId, dimension: Number(match[3]), table: match[1] as VectorTable };
}

/**
 * CREATE INDEX CONCURRENTLY for a dataset's vectors of one size: the same expression, operator class and
 * parameters as the shared index (so the searches' SQL needs no change), restricted to the dataset.
 * Concurrently, so ingestion and searches go on while it builds.
 */
export function createDatasetIndexSql(table: VectorTable, datasetId: string, dimension: number): string {
  const name = datasetIndexName(table, datasetId, dimension);
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "rag"."${table}" USING hnsw (${hnswIndexedExpression(dimension)})
    WITH (m = 24, ef_construction = 128) WHERE embedding_dim = ${dimension} AND dataset_id = '${datasetId.toLowerCase()}'::uuid`;
}

/** DROP INDEX CONCURRENTLY of a dataset index by its name (checked to be one). */
export function dropDatasetIndexSql(name: string): string {
  if (!parseDatasetIndexName(name)) throw new RangeError(`Not a dataset index: ${name}`);
  return `DROP INDEX CONCURRENTLY IF EXISTS "rag"."${name}"`;
}
