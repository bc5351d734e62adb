import type { DatabaseService } from '@weft/persistence';
import { createTestDatabase, infraUrls, queryDatabase, type TestDatabase } from '@weft/testing';
import { randomUUID } from 'node:crypto';
import { startRagDatabase } from '../rag-test-database.util';
import { FrequentTermsService } from './frequent-terms.service';
import { toDiscriminatingQuery } from './full-text.util';

describe('frequent full-text terms from the statistics of rag.segments (real Postgres)', () => {
  let db: TestDatabase;
  let database: DatabaseService;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ database } = await startRagDatabase({ ...infraUrls(), databaseUrl: db.url }, 'frequent-terms-test'));
  });

  afterAll(async () => {
    await database?.onApplicationShutdown();
    await db?.drop();
  });

  it('knows none before the table is analyzed, then the words most rows hold, not the rare ones', async () => {
    expect((await new FrequentTermsService(database).of('rag.segments')).size).toBe(0);

    // 2,000 segments: "the" and "weaving" in every one, "shuttle" in every tenth, "jacquard" in one.
    const datasetId = randomUUID();
    await queryDatabase(
      db.url,
      `INSERT INTO rag.segments (id, workspace_id, dataset_id, document_id, position, content, index_node_id, index_node_hash, content_tsv)
       SELECT gen_random_uuid(), $1, $2, $3, g, c, 'n' || g, 'h' || g, to_tsvector('simple', c)
       FROM generate_series(1, 2000) AS g,
            LATERAL (SELECT 'the weaving ' || CASE WHEN g % 10 = 0 THEN 'shuttle ' ELSE '' END || CASE WHEN g = 7 THEN 'jacquard ' ELSE '' END || 'w' || g AS c) AS t`,
      [randomUUID(), datasetId, randomUUID()],
    );
    await queryDatabase(db.url, 'ANALYZE rag.segments');

    const frequent = await new FrequentTermsService(database).of('rag.segments');
    expect(frequent.has('the')).toBe(true);
    expect(frequent.has('weaving')).toBe(true);
    expect(frequent.has('shuttle')).toBe(true);
    expect(frequent.has('jacquard')).toBe(false);
    expect(frequent.has('w7')).toBe(false);
    expect(toDiscriminatingQuery('the jacquard weaving', frequent)).toBe("'jacquard'");
  });
});
