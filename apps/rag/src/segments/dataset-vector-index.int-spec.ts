import type { DatabaseService } from '@weft/persistence';
import { createTestDatabase, infraUrls, pollUntil, queryDatabase, type TestDatabase } from '@weft/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { insertDatasetWithDocument, startRagDatabase } from '../rag-test-database.util';
import { semanticSearchSql } from '../retrieval/retrieval.service';
import { DatasetVectorIndexService } from './dataset-vector-index.service';
import { datasetIndexName } from './dataset-vector-index.util';

const MIN_SEGMENTS = 40;
const workspaceId = randomUUID();

/** A dataset with one completed document of `segments` random 512-dimension segments. */
async function seedDataset(url: string, segments: number): Promise<string> {
  const { datasetId, documentId } = await insertDatasetWithDocument((sql, params) => queryDatabase(url, sql, params), workspaceId);
  await queryDatabase(
    url,
    `INSERT INTO rag.segments (id, workspace_id, dataset_id, document_id, position, content, index_node_id, index_node_hash, content_tsv, embedding, embedding_dim)
     SELECT gen_random_uuid(), $1, $2, $3, g, 'segment ' || g, 'n' || g, 'h' || g, to_tsvector('simple', 'segment'),
       (SELECT array_agg(random() - 0.5)::real[]::vector FROM generate_series(1, 512) WHERE g > 0), 512
     FROM generate_series(1, $4) AS g`,
    [workspaceId, datasetId, documentId, segments],
  );
  return datasetId;
}

/** What deleting a dataset removes (DatasetRepository.delete), done directly. */
async function deleteDatasetRows(url: string, datasetId: string): Promise<void> {
  for (const table of ['segments', 'documents', 'datasets']) {
    await queryDatabase(url, `DELETE FROM rag.${table} WHERE ${table === 'datasets' ? 'id' : 'dataset_id'} = $1`, [datasetId]);
  }
}

async function indexState(url: string, name: string): Promise<{ valid: boolean; method: string } | undefined> {
  const rows = await queryDatabase<{ valid: boolean; method: string }>(
    url,
    `SELECT i.indisvalid AS valid, am.amname AS method FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_am am ON am.oid = c.relam
     WHERE c.relname = $1`,
    [name],
  );
  return rows[0];
}

describe('datasets with their own HNSW index (real Postgres with pgvector)', () => {
  let db: TestDatabase;
  const services: DatabaseService[] = [];

  async function service(env: Record<string, string> = {}): Promise<DatasetVectorIndexService> {
    const { config, database } = await startRagDatabase({ ...infraUrls(), databaseUrl: db.url }, 'dataset-index-test', {
      RAG_DATASET_INDEX_MIN_SEGMENTS: String(MIN_SEGMENTS),
      ...env,
    });
    services.push(database);
    return new DatasetVectorIndexService(database, config);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const database of services) await database.onApplicationShutdown();
    await db?.drop();
  });

  it('builds an index for a dataset past the threshold, none for a small one, and the search of that dataset uses it', async () => {
    const indexes = await service();
    const large = await seedDataset(db.url, MIN_SEGMENTS + 10);
    const small = await seedDataset(db.url, MIN_SEGMENTS - 1);
    const name = datasetIndexName('segments', large, 512);

    expect(await indexes.ensureFor(large)).toEqual([name]);
    expect(await indexes.ensureFor(small)).toEqual([]);
    expect(await indexes.ensureFor(large)).toEqual([]);
    expect(await indexState(db.url, name)).toEqual({ method: 'hnsw', valid: true });
    expect(await indexState(db.url, datasetIndexName('segments', small, 512))).toBeUndefined();

    // The service's own SQL with its parameters bound, as node-postgres sends it (scans that need no
    // index are turned off: the table is tiny, so the planner would rather read it all).
    const plan = async (datasetId: string) => {
      const client = new Client({ connectionString: db.url });
      await client.connect();
      try {
        const [{ vector }] = (
          await client.query<{ vector: string }>(`SELECT embedding::text AS vector FROM rag.segments WHERE dataset_id = $1 LIMIT 1`, [
            datasetId,
          ])
        ).rows;
        await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off');
        const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${semanticSearchSql('rag.segments', 512, null)}`, [
          vector,
          workspaceId,
          datasetId,
          10,
        ]);
        return result.rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await client.end();
      }
    };
    expect(await plan(large)).toContain(`Index Scan using ${name}`);
    expect(await plan(small)).not.toContain(name);
  });

  it('builds one index when two replicas try at once', async () => {
    const dataset = await seedDataset(db.url, MIN_SEGMENTS);
    const [a, b] = await Promise.all([(await service()).ensureFor(dataset), (await service()).ensureFor(dataset)]);
    expect([...a, ...b]).toEqual([datasetIndexName('segments', dataset, 512)]);
    expect(await indexState(db.url, datasetIndexName('segments', dataset, 512))).toEqual({ method: 'hnsw', valid: true });
  });

  it('drops and builds again an invalid index, which a build cut off half-way leaves behind', async () => {
    const dataset = await seedDataset(db.url, MIN_SEGMENTS);
    const name = datasetIndexName('segments', dataset, 512);
    // A concurrent build that fails on a row leaves its index in place, invalid, under the name.
    await expect(
      queryDatabase(db.url, `CREATE INDEX CONCURRENTLY "${name}" ON rag.segments ((1 / (position - position)))`),
    ).rejects.toThrow(/division by zero/);
    expect(await indexState(db.url, name)).toEqual({ method: 'btree', valid: false });
    expect(await (await service()).ensureFor(dataset)).toEqual([name]);
    expect(await indexState(db.url, name)).toEqual({ method: 'hnsw', valid: true });
  });

  it('drops the indexes of a deleted dataset, and a sweep drops those it missed and builds those not yet built', async () => {
    const indexes = await service();
    const deleted = await seedDataset(db.url, MIN_SEGMENTS);
    const missed = await seedDataset(db.url, MIN_SEGMENTS);
    const unindexed = await seedDataset(db.url, MIN_SEGMENTS);
    await indexes.ensureFor(deleted);
    await indexes.ensureFor(missed);

    await deleteDatasetRows(db.url, deleted);
    indexes.datasetDeleted(deleted);
    await indexes.idle();
    expect(await indexState(db.url, datasetIndexName('segments', deleted, 512))).toBeUndefined();

    // Deleted behind the service's back (a replica down at the time): the sweep finds the index an orphan.
    await deleteDatasetRows(db.url, missed);
    const { built, dropped } = await indexes.sweep();
    expect(dropped).toEqual([datasetIndexName('segments', missed, 512)]);
    expect(built).toEqual([datasetIndexName('segments', unindexed, 512)]);
    expect(await indexState(db.url, datasetIndexName('segments', missed, 512))).toBeUndefined();
    expect(await indexState(db.url, datasetIndexName('segments', unindexed, 512))).toEqual({ method: 'hnsw', valid: true });
    // Nothing left to do: a second sweep changes nothing.
    expect(await indexes.sweep()).toEqual({ built: [], dropped: [] });
  });

  it('builds no more dataset indexes on a table than RAG_DATASET_INDEX_MAX, and none at all with a threshold of 0', async () => {
    const existing = await queryDatabase<{ n: number }>(
      db.url,
      `SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'segments\\_ds\\_%' AND relkind = 'i'`,
    );
    const dataset = await seedDataset(db.url, MIN_SEGMENTS);
    expect(await (await service({ RAG_DATASET_INDEX_MAX: String(existing[0]!.n) })).ensureFor(dataset)).toEqual([]);
    expect(await (await service({ RAG_DATASET_INDEX_MIN_SEGMENTS: '0' })).ensureFor(dataset)).toEqual([]);
    expect(await indexState(db.url, datasetIndexName('segments', dataset, 512))).toBeUndefined();
    expect(await (await service({ RAG_DATASET_INDEX_MAX: String(existing[0]!.n + 1) })).ensureFor(dataset)).toEqual([
      datasetIndexName('segments', dataset, 512),
    ]);
  });

  it('cancels a build still running when the service shuts down, and a later build replaces what it left', async () => {
    const indexes = await service();
    // Seeding thousands of random vectors through the shared index takes long; this test does not need it.
    await queryDatabase(db.url, 'DROP INDEX rag.segments_embedding_512_hnsw');
    const dataset = await seedDataset(db.url, 4000);
    const name = datasetIndexName('segments', dataset, 512);
    const building = indexes.ensureFor(dataset);
    const outcome = building.then(
      () => 'finished',
      (error: Error) => error.message,
    );
    await pollUntil(
      async () =>
        (
          await queryDatabase(
            db.url,
            `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND query LIKE $1 AND state = 'active'`,
            [`%${name}%`],
          )
        ).length > 0,
      { timeoutMs: 10_000, what: 'the build to start' },
    );
    await indexes.onApplicationShutdown();
    expect(await outcome).toMatch(/cancel/i);
    expect((await indexState(db.url, name))?.valid).not.toBe(true);

    expect(await (await service()).ensureFor(dataset)).toEqual([name]);
    expect(await indexState(db.url, name)).toEqual({ method: 'hnsw', valid: true });
  });
});
