import type { DatabaseService } from '@weft/persistence';
import { createTestDatabase, infraUrls, queryDatabase, type TestDatabase } from '@weft/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { insertDatasetWithDocument, startRagDatabase } from '../rag-test-database.util';
import { semanticSearchSql } from '../retrieval/retrieval.service';
import { datasetIndexName } from './dataset-vector-index.util';
import { INDEXED_EMBEDDING_DIMENSIONS } from './embedding-index.util';

const workspaceId = randomUUID();

/** A deterministic vector of `dim` numbers in [-0.5, 0.5), different for each seed. */
function vectorOf(dim: number, seed: number): number[] {
  return Array.from({ length: dim }, (_, i) => Math.sin(seed * 7919 + i * 104_729) / 2);
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** A dataset with one completed document whose segments hold `vectors`; the segments' ids in order. */
async function seedDataset(url: string, vectors: number[][]): Promise<{ datasetId: string; ids: string[] }> {
  const { datasetId, documentId } = await insertDatasetWithDocument((sql, params) => queryDatabase(url, sql, params), workspaceId);
  const ids = vectors.map(() => randomUUID());
  for (const [i, vector] of vectors.entries()) {
    await queryDatabase(
      url,
      `INSERT INTO rag.segments (id, workspace_id, dataset_id, document_id, position, content, index_node_id, index_node_hash, content_tsv, embedding, embedding_dim)
       VALUES ($1, $2, $3, $4, $5, 'segment', $6, 'h', to_tsvector('simple', 'segment'), $7::vector, $8)`,
      [ids[i], workspaceId, datasetId, documentId, i + 1, `n${i}`, `[${vector.join(',')}]`, vector.length],
    );
  }
  return { datasetId, ids };
}

async function indexDefinitions(url: string): Promise<Map<string, string>> {
  const rows = await queryDatabase<{ indexname: string; indexdef: string }>(
    url,
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'rag' AND indexname LIKE '%hnsw'`,
  );
  return new Map(rows.map((r) => [r.indexname, r.indexdef]));
}

describe('the shared HNSW indexes over half-precision vectors (real Postgres with pgvector)', () => {
  let db: TestDatabase;
  let database: DatabaseService;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ database } = await startRagDatabase({ ...infraUrls(), databaseUrl: db.url }, 'shared-vector-index-test'));
  });

  afterAll(async () => {
    await database?.onApplicationShutdown();
    await db?.drop();
  });

  it('indexes every indexed size, 3072 included, on segments and child chunks as halfvec with cosine distance', async () => {
    const definitions = await indexDefinitions(db.url);
    for (const table of ['segments', 'child_chunks']) {
      for (const dim of INDEXED_EMBEDDING_DIMENSIONS) {
        const definition = definitions.get(`${table}_embedding_${dim}_hnsw`);
        expect(definition).toContain(`USING hnsw (((embedding)::halfvec(${dim})) halfvec_cosine_ops)`);
        expect(definition).toContain(`WHERE (embedding_dim = ${dim})`);
      }
    }
  });

  it.each([512, 3072])('searches %i dimensions through the shared index, ordered by it and scored at full precision', async (dim) => {
    const vectors = Array.from({ length: 30 }, (_, i) => vectorOf(dim, dim + i));
    const { datasetId, ids } = await seedDataset(db.url, vectors);
    const query = vectorOf(dim, dim + 5).map((v, i) => v + (i % 3 === 0 ? 0.01 : 0));
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      // The table is tiny, so the planner would rather read it all: scans that need no index are off.
      await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off');
      const params = [`[${query.join(',')}]`, workspaceId, datasetId, 3];
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${semanticSearchSql('rag.segments', dim, null)}`, params)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toContain(`Index Scan using segments_embedding_${dim}_hnsw`);
      const hits = (await client.query<{ id: string; score: number }>(semanticSearchSql('rag.segments', dim, null), params)).rows;
      const expected = vectors.map((v, i) => ({ id: ids[i]!, score: cosine(query, v) })).sort((a, b) => b.score - a.score);
      expect(hits.map((h) => h.id)).toEqual(expected.slice(0, 3).map((h) => h.id));
      // Half precision keeps about 3 decimal digits; the score is the full-precision cosine.
      for (const [i, hit] of hits.entries()) expect(Number(hit.score)).toBeCloseTo(expected[i]!.score, 6);
    } finally {
      await client.end();
    }
  });

  it('migrates the full-precision indexes of earlier installs and drops dataset indexes built on them', async () => {
    const migration = database.dataSource.migrations.find((m) => m.name === 'HalfvecVectorIndexes1764600000000');
    if (!migration?.down) throw new Error('the rag service does not list the halfvec migration');
    const runner = database.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      let definitions = await indexDefinitions(db.url);
      expect(definitions.get('segments_embedding_512_hnsw')).toContain('vector_cosine_ops');
      expect(definitions.has('segments_embedding_3072_hnsw')).toBe(false);
      // A dataset index as the rag service built it before: on the full-precision expression.
      const { datasetId } = await seedDataset(db.url, [vectorOf(512, 1)]);
      const old = datasetIndexName('segments', datasetId, 512);
      await queryDatabase(
        db.url,
        `CREATE INDEX "${old}" ON rag.segments USING hnsw ((embedding::vector(512)) vector_cosine_ops) WHERE embedding_dim = 512 AND dataset_id = '${datasetId}'::uuid`,
      );

      await migration.up(runner);
      definitions = await indexDefinitions(db.url);
      expect(definitions.has(old)).toBe(false);
      expect(definitions.get('segments_embedding_512_hnsw')).toContain('halfvec_cosine_ops');
      expect(definitions.get('child_chunks_embedding_3072_hnsw')).toContain('halfvec_cosine_ops');
    } finally {
      await runner.release();
    }
  });
});
