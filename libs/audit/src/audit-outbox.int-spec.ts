import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { databaseConfig, loadConfig } from '@weft/config';
import { MessageBus, MessagingModule } from '@weft/messaging';
import { MetricsModule } from '@weft/metrics';
import { DatabaseService, PersistenceModule } from '@weft/persistence';
import {
  createEmptyDatabase,
  expectEventually,
  freePort,
  infraUrls,
  operatorBusOptions,
  pollUntil,
  queryDatabase,
  type TestDatabase,
  uniqueSuffix,
} from '@weft/testing';
import { AuditModule } from './audit.module';
import { AuditService } from './audit.service';
import { auditOutboxMigration } from './audit-outbox.repository';

// A service's audit trail while NATS is away, with the real Postgres and NATS: events wait in the service's
// Postgres outbox (not in memory), survive the process, and reach the AUDIT stream once, in order, when NATS
// is back. NATS "away" is a port nobody listens on; "back" is the real server.
describe('audit outbox (Postgres) while NATS is unreachable', () => {
  const schema = `audit_outbox_${uniqueSuffix().replace(/\W/g, '_')}`;
  const prefix = `t${uniqueSuffix()}`;
  let db: TestDatabase;
  let deadNats: string;

  async function startService(servers: string[]): Promise<INestApplication> {
    const database = loadConfig('test', databaseConfig, { DATABASE_POOL_MAX: '4', DATABASE_URL: db.url });
    const moduleRef = await Test.createTestingModule({
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          ...operatorBusOptions(),
          handles: [],
          instanceId: uniqueSuffix(),
          requestTimeoutMs: 2000,
          servers,
          service: 'gateway',
          subjectPrefix: prefix,
        }),
        PersistenceModule.forRoot({
          applicationName: 'weft-audit-outbox-test',
          database,
          definition: { entities: [], migrations: [auditOutboxMigration(schema)], schema },
          migrateOnStart: true,
        }),
        AuditModule.forRoot('gateway'),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.get(DatabaseService).whenReady();
    return app;
  }

  const outboxIds = async () =>
    (await queryDatabase<{ id: string }>(db.url, `SELECT id FROM "${schema}".audit_outbox ORDER BY seq`)).map((r) => r.id);

  const record = (audit: AuditService, n: number) =>
    audit.record({ action: 'test.outbox', actor: { id: null, type: 'system' }, details: { n }, resource: { id: String(n), type: 'test' } });

  beforeAll(async () => {
    db = await createEmptyDatabase();
    deadNats = `nats://127.0.0.1:${await freePort()}`;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps events in Postgres while NATS is down, and a later process of the service relays them once, in order', async () => {
    // A process that cannot reach NATS: its events go to the outbox, not to memory.
    const first = await startService([deadNats]);
    const audit = first.get(AuditService);
    const ids = [1, 2, 3, 4, 5].map((n) => record(audit, n));
    await pollUntil(async () => ((await outboxIds()).length === 5 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'five events in the outbox',
    });
    expect(await outboxIds()).toEqual(ids);
    // The process goes away with NATS still down; the events stay.
    await first.close();
    expect(await outboxIds()).toEqual(ids);

    // The next process of the service reaches NATS and relays what the first one left, then records directly.
    const second = await startService([infraUrls().natsUrl]);
    try {
      const bus = second.get(MessageBus);
      await pollUntil(() => bus.isConnected() || undefined, { what: 'the bus to connect' });
      const received: string[] = [];
      bus.consume('audit.event.v1', `outbox-${uniqueSuffix()}`, async (event) => {
        received.push(event.id);
      });
      await expectEventually(async () => expect(await outboxIds()).toEqual([]), { timeoutMs: 20_000 });
      const later = record(second.get(AuditService), 6);
      await expectEventually(() => expect(received).toEqual([...ids, later]), { timeoutMs: 20_000 });
      // Sent straight to NATS: the outbox was not written.
      expect(await outboxIds()).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('sends an event once even when two processes relay the same outbox at once', async () => {
    const ids: string[] = Array.from({ length: 250 }, () => randomUUID());
    const event = (id: string, n: number) => ({
      action: 'test.outbox',
      actor: { id: null, type: 'system' },
      correlationId: null,
      details: { n },
      id,
      ip: null,
      occurredAt: new Date().toISOString(),
      outcome: 'success',
      resource: { id: String(n), type: 'test' },
      service: 'gateway',
      userAgent: null,
      workspaceId: null,
    });
    // The first test made the table; the events wait there before either process starts.
    await queryDatabase(
      db.url,
      `INSERT INTO "${schema}".audit_outbox (id, event) SELECT (e->>'id')::uuid, e FROM jsonb_array_elements($1::jsonb) e`,
      [JSON.stringify(ids.map(event))],
    );
    // Two replicas start together, and each relays what it finds at start.
    const [a, b] = await Promise.all([startService([infraUrls().natsUrl]), startService([infraUrls().natsUrl])]);
    try {
      const wanted = new Set(ids);
      const counts = new Map<string, number>();
      a.get(MessageBus).consume('audit.event.v1', `outbox-${uniqueSuffix()}`, async (e) => {
        if (wanted.has(e.id)) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
      });
      await expectEventually(async () => expect(await outboxIds()).toEqual([]), { timeoutMs: 30_000 });
      await expectEventually(() => expect(counts.size).toBe(ids.length), { timeoutMs: 20_000 });
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
