import { Test } from '@nestjs/testing';
import { loadConfig, databaseConfig } from '@weft/config';
import { DatabaseService, PersistenceModule } from '@weft/persistence';
import { createTestDatabase, freePort, TcpProxy, TestDatabase } from '@weft/testing';
import { complianceDatabase } from '../../apps/compliance/src/database.config';

describe('DatabaseService with read replicas', () => {
  let db: TestDatabase;
  let replica: TcpProxy;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The "replica" is the same database behind a proxy, so the test can see which connections used it.
    replica = TcpProxy.forUrl(await freePort(), db.url);
    await replica.up();
  });

  afterAll(async () => {
    await replica.down();
    await db.drop();
  });

  it('sends replica reads through DATABASE_READ_URLS and writes to the primary', async () => {
    const database = loadConfig('test', databaseConfig, {
      DATABASE_URL: db.url,
      DATABASE_READ_URLS: replica.rewrite(db.url),
      DATABASE_POOL_MAX: '2',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({ definition: complianceDatabase, database, applicationName: 'weft-replica-test', migrateOnStart: true }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const service = app.get(DatabaseService);
      await service.whenReady();
      const before = replica.bytesFromClients;
      await service.dataSource
        .query(`INSERT INTO compliance.audit_events (id, occurred_at, service, actor_type, action, resource_type, outcome, details, seq, prev_hash, hash)
        VALUES (gen_random_uuid(), now(), 'gateway', 'system', 'replica.test', 'test', 'success', '{}', 1, '', '')`);
      expect(replica.bytesFromClients).toBe(before);
      const rows = await service.withReplica((m) =>
        m.query(`SELECT count(*)::int AS n FROM compliance.audit_events WHERE action = 'replica.test'`),
      );
      expect(rows).toEqual([{ n: 1 }]);
      expect(replica.bytesFromClients).toBeGreaterThan(before);
    } finally {
      await app.close();
    }
  });
});
