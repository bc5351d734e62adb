import { MigrationInterface, QueryRunner } from 'typeorm';

// Kept literal, as a migration must not change; the service's list is in segments/embedding-index.util.ts.
const PREVIOUS_DIMENSIONS = [384, 512, 768, 1024, 1536] as const;
const DIMENSIONS = [384, 512, 768, 1024, 1536, 3072] as const;
const TABLES = ['segments', 'child_chunks'] as const;
const DATASET_INDEX = '^(segments|child_chunks)_ds_[0-9a-f]{32}_[0-9]+_hnsw$';

/**
 * The HNSW indexes hold half-precision copies of the vectors (`embedding::halfvec(<dim>)`,
 * `halfvec_cosine_ops`); the column keeps full precision, which the score is computed from. A graph
 * walk's cost is mostly reading the visited vectors: on `npm run bench:rag` (100,000 segments of 512
 * dimensions, m 24, ef_construction 128, ef_search 150) p95 went from 14.8 to 11.2 ms at the same recall
 * (0.82), a dataset's own index from 8.0 to 4.1 ms, and the index is half the size. halfvec is indexable
 * up to 4,000 dimensions, so 3,072 (OpenAI's text-embedding-3-large) gets an index too.
 *
 * Rebuilds the shared indexes (empty or small at this point of an install; a large table is locked
 * against writes while it rebuilds). Datasets' own indexes are dropped: their expression no longer
 * matches the searches, and the rag service's sweep builds them again, concurrently, at start-up.
 */
export class HalfvecVectorIndexes1764600000000 implements MigrationInterface {
  name = 'HalfvecVectorIndexes1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await replaceIndexes(q, PREVIOUS_DIMENSIONS, DIMENSIONS, (dim) => `(embedding::halfvec(${dim})) halfvec_cosine_ops`);
  }

  async down(q: QueryRunner): Promise<void> {
    await replaceIndexes(q, DIMENSIONS, PREVIOUS_DIMENSIONS, (dim) => `(embedding::vector(${dim})) vector_cosine_ops`);
  }
}

/** Drops the dataset indexes and the shared indexes of sizes `from`, then builds shared ones of sizes `to` on `indexed(dim)`. */
async function replaceIndexes(
  q: QueryRunner,
  from: readonly number[],
  to: readonly number[],
  indexed: (dim: number) => string,
): Promise<void> {
  await dropDatasetIndexes(q);
  for (const table of TABLES) {
    for (const dim of from) await q.query(`DROP INDEX IF EXISTS "rag"."${table}_embedding_${dim}_hnsw"`);
    for (const dim of to) {
      await q.query(
        `CREATE INDEX "${table}_embedding_${dim}_hnsw" ON "rag"."${table}" USING hnsw (${indexed(dim)}) WITH (m = 24, ef_construction = 128) WHERE embedding_dim = ${dim}`,
      );
    }
  }
}

async function dropDatasetIndexes(q: QueryRunner): Promise<void> {
  const rows: { indexname: string }[] = await q.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'rag' AND indexname ~ $1`, [
    DATASET_INDEX,
  ]);
  for (const { indexname } of rows) await q.query(`DROP INDEX IF EXISTS "rag"."${indexname}"`);
}
