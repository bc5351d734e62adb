import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuditModule } from '@weft/audit';
import { loadConfig, orchestratorConfigSpec } from '@weft/config';
import type { AuditEvent } from '@weft/contracts';
import { HandlerExplorer, MessageBus, MessagingModule } from '@weft/messaging';
import { MetricsModule } from '@weft/metrics';
import { DatabaseService, PersistenceModule } from '@weft/persistence';
import {
  createTestDatabase,
  infraUrls,
  pollUntil,
  queryDatabase,
  uniqueSuffix,
  type TestDatabase,
  operatorBusOptions,
  connectAsOperator,
} from '@weft/testing';
import { randomUUID } from 'node:crypto';
import { JSONCodec } from 'nats';
import { Client } from 'pg';
import { register } from 'prom-client';
import { orchestratorDatabase } from '../database.config';
import { RunRepository } from '../runs/run.repository';
import { DataRetentionService } from './data-retention.service';
import { ArchiveModule } from './archive.module';
import { RetentionScheduler } from './retention-scheduler.service';
import { RetentionHandler } from './retention.handler';
import { RunArchiveService } from './run-archive.service';

const DEFAULT_RETENTION_DAYS = 365;
const BATCH = 3;

type Table = 'live' | 'archive';

describe('retention: archived runs stay readable, expired data is deleted per workspace unless held (real Postgres and NATS)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let bus: MessageBus;
  const audits: AuditEvent[] = [];
  const appId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    const { natsUrl, redisUrl } = infraUrls();
    const config = loadConfig('orchestrator', orchestratorConfigSpec, {
      DATABASE_POOL_MAX: '6',
      DATABASE_URL: db.url,
      DATA_RETENTION_DAYS: String(DEFAULT_RETENTION_DAYS),
      LOG_LEVEL: 'warn',
      NATS_SUBJECT_PREFIX: `t${uniqueSuffix()}`,
      NATS_URL: natsUrl,
      REDIS_URL: redisUrl,
      RUN_ARCHIVE_AFTER_DAYS: '30',
      RUN_ARCHIVE_BATCH_PAUSE_MS: '0',
      RUN_ARCHIVE_BATCH_SIZE: String(BATCH),
    });
    // The archive feature with what it needs (Postgres, NATS for the audit trail, metrics) and the run
    // repository, without the rest of the orchestrator. The tests run the jobs themselves (the schedule would
    // start runs at moments of its own) and wire the NATS handlers they call.
    const moduleRef = await Test.createTestingModule({
      imports: [
        MetricsModule,
        MessagingModule.forRoot({
          ...operatorBusOptions(),
          instanceId: uniqueSuffix(),
          requestTimeoutMs: 5000,
          servers: config.nats.servers,
          service: 'orchestrator',
          subjectPrefix: config.nats.subjectPrefix,
        }),
        PersistenceModule.forRoot({
          applicationName: 'weft-retention-test',
          database: config.database,
          definition: orchestratorDatabase,
          migrateOnStart: true,
        }),
        AuditModule.forRoot('orchestrator'),
        ArchiveModule.forRoot(config.retention),
      ],
      providers: [RunRepository],
    })
      .overrideProvider(HandlerExplorer)
      .useValue({})
      .overrideProvider(RetentionScheduler)
      .useValue({})
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.get(DatabaseService).whenReady();
    bus = app.get(MessageBus);
    const handler = app.get(RetentionHandler);
    bus.handle('wf.retention.get.v1', (req) => handler.get(req));
    bus.handle('wf.retention.set.v1', (req) => handler.set(req));
    bus.handle('wf.legal-hold.set.v1', (req) => handler.setLegalHold(req));
    await bus.start();
    bus.consume('audit.event.v1', `retention-test-${uniqueSuffix()}`, async (event) => {
      audits.push(event);
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** A request sent as plain NATS, as a client without the contracts would send it; answers the decoded reply. */
  async function rawRequest(subject: string, payload: unknown): Promise<unknown> {
    const nc = await connectAsOperator(infraUrls().natsUrl);
    try {
      const reply = await nc.request(bus.wireSubject(subject), JSONCodec().encode(payload), { timeout: 5000 });
      return JSONCodec().decode(reply.data);
    } finally {
      await nc.close();
    }
  }

  /** A finished (or running) run `ageDays` old with two node runs, in the live or the archive tables. */
  async function storeRun(table: Table, workspaceId: string, ageDays: number, status = 'succeeded'): Promise<string> {
    const id = randomUUID();
    const suffix = table === 'archive' ? '_archive' : '';
    await queryDatabase(
      db.url,
      `INSERT INTO orchestrator.workflow_runs${suffix} (id, workspace_id, app_id, workflow_id, task_id, version, triggered_from, created_from, inputs, files,
         status, outputs, created_by_role, created_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, 'v1', 'app-run', 'service-api', '{"q": "hi"}', '[]', $6, '{"a": 1}', 'end_user',
         now() - make_interval(days => $7), CASE WHEN $6 = 'running' THEN NULL ELSE now() - make_interval(days => $7) END)`,
      [id, workspaceId, appId, randomUUID(), randomUUID(), status, ageDays],
    );
    await queryDatabase(
      db.url,
      `INSERT INTO orchestrator.workflow_node_executions${suffix} (id, workspace_id, app_id, workflow_id, workflow_run_id, index, node_id, node_type, title, status, created_at)
       SELECT gen_random_uuid(), $2, $3, gen_random_uuid(), $1, i, 'n' || i, 'start', 'Start', 'succeeded', now() - make_interval(days => $4) FROM generate_series(1, 2) AS i`,
      [id, workspaceId, appId, ageDays],
    );
    return id;
  }

  async function where(id: string): Promise<Table | null> {
    const [row] = await queryDatabase<{ live: number; archived: number; live_nodes: number; archived_nodes: number }>(
      db.url,
      `SELECT (SELECT count(*)::int FROM orchestrator.workflow_runs WHERE id = $1) AS live,
         (SELECT count(*)::int FROM orchestrator.workflow_runs_archive WHERE id = $1) AS archived,
         (SELECT count(*)::int FROM orchestrator.workflow_node_executions WHERE workflow_run_id = $1) AS live_nodes,
         (SELECT count(*)::int FROM orchestrator.workflow_node_executions_archive WHERE workflow_run_id = $1) AS archived_nodes`,
      [id],
    );
    // A run and its node runs are always in the same place.
    if (row!.live) expect([row!.live_nodes, row!.archived_nodes]).toEqual([2, 0]);
    else if (row!.archived) expect([row!.live_nodes, row!.archived_nodes]).toEqual([0, 2]);
    else expect([row!.live_nodes, row!.archived_nodes]).toEqual([0, 0]);
    return row!.live ? 'live' : row!.archived ? 'archive' : null;
  }

  it('gives the archive tables exactly the live tables columns, in order', async () => {
    const columns = (table: string) =>
      queryDatabase<Record<string, unknown>>(
        db.url,
        `SELECT column_name, data_type, is_nullable, column_default, ordinal_position FROM information_schema.columns
         WHERE table_schema = 'orchestrator' AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
    for (const live of ['workflow_runs', 'workflow_node_executions']) {
      const expected = await columns(live);
      expect(expected.length).toBeGreaterThan(10);
      expect(await columns(`${live}_archive`)).toEqual(expected);
    }
  });

  it('keeps an archived run readable by id, with its node runs, and listed in the logs after the live ones', async () => {
    const workspaceId = randomUUID();
    const recent = await storeRun('live', workspaceId, 1);
    const old = await storeRun('live', workspaceId, 45);
    const older = await storeRun('live', workspaceId, 50);
    expect(await app.get(RunArchiveService).archiveOnce()).toMatchObject({ runs: 2 });
    expect([await where(recent), await where(old), await where(older)]).toEqual(['live', 'archive', 'archive']);

    // What wf.run.get.v1, wf.run.history.v1 and wf.run.list.v1 answer the gateway's GET /v1/workflows/run/{id} and
    // GET /v1/workflows/logs with.
    const runs = app.get(RunRepository);
    expect(await runs.findRun(workspaceId, appId, old)).toMatchObject({ id: old, outputs: { a: 1 }, status: 'succeeded' });
    expect(await runs.findRun(randomUUID(), appId, old)).toBeNull();
    expect((await runs.nodesOf(old)).map((n) => n.index)).toEqual([1, 2]);
    const logs = { appId, createdAfter: null, createdBefore: null, endUserSessionId: null, keyword: null, status: null, workspaceId };
    const page1 = await runs.listRuns({ ...logs, limit: 2, page: 1 });
    expect(page1.total).toBe(3);
    expect(page1.runs.map((r) => r.id)).toEqual([recent, old]);
    const page2 = await runs.listRuns({ ...logs, limit: 2, page: 2 });
    expect(page2.runs.map((r) => r.id)).toEqual([older]);
    expect((await runs.listRuns({ ...logs, limit: 10, page: 1, status: 'succeeded', keyword: 'hi' })).total).toBe(3);
  });

  it('sets a workspace retention period and legal hold over NATS, validated and audited', async () => {
    const workspaceId = randomUUID();
    await expect(bus.request('wf.retention.get.v1', { workspaceId })).resolves.toEqual({
      defaultRetentionDays: DEFAULT_RETENTION_DAYS,
      legalHold: false,
      overridden: false,
      retentionDays: DEFAULT_RETENTION_DAYS,
      workspaceId,
    });
    const accountId = randomUUID();
    await expect(bus.request('wf.retention.set.v1', { accountId, retentionDays: 30, workspaceId })).resolves.toMatchObject({
      overridden: true,
      retentionDays: 30,
    });
    // A sender that skips the typed client's own check still gets a clear refusal, and nothing changes.
    for (const retentionDays of [0, 1.5, 'forever', 40_000]) {
      expect([retentionDays, await rawRequest('wf.retention.set.v1', { accountId, retentionDays, workspaceId })]).toEqual([
        retentionDays,
        { error: expect.objectContaining({ code: 'invalid_param' }), ok: false },
      ]);
    }
    await expect(bus.request('wf.retention.get.v1', { workspaceId })).resolves.toMatchObject({ retentionDays: 30 });
    await expect(
      bus.request('wf.legal-hold.set.v1', { accountId, held: true, reason: 'litigation 42', workspaceId }),
    ).resolves.toMatchObject({ legalHold: true, retentionDays: 30 });
    await expect(bus.request('wf.retention.set.v1', { accountId, retentionDays: null, workspaceId })).resolves.toMatchObject({
      legalHold: true,
      overridden: false,
      retentionDays: DEFAULT_RETENTION_DAYS,
    });
    await expect(bus.request('wf.legal-hold.set.v1', { accountId, held: false, reason: null, workspaceId })).resolves.toMatchObject({
      legalHold: false,
    });

    const mine = () => audits.filter((e) => e.workspaceId === workspaceId);
    await pollUntil(() => mine().length === 4, { what: 'four audit events of the workspace' });
    expect(mine().map((e) => e.action)).toEqual([
      'retention.policy.update',
      'retention.legal_hold.place',
      'retention.policy.update',
      'retention.legal_hold.release',
    ]);
    expect(mine()[0]).toMatchObject({
      actor: { id: accountId, type: 'account' },
      details: { overridden: true, previous_retention_days: DEFAULT_RETENTION_DAYS, retention_days: 30 },
    });
    expect(mine()[1]).toMatchObject({ details: { reason: 'litigation 42' }, resource: { id: workspaceId, type: 'workspace' } });
  });

  it("deletes live and archived runs past each workspace's period, never under legal hold, in bounded batches", async () => {
    const [plain, short, long, held] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await bus.request('wf.retention.set.v1', { accountId: null, retentionDays: 30, workspaceId: short });
    await bus.request('wf.retention.set.v1', { accountId: null, retentionDays: 1000, workspaceId: long });
    await bus.request('wf.retention.set.v1', { accountId: null, retentionDays: 30, workspaceId: held });
    await bus.request('wf.legal-hold.set.v1', { accountId: null, held: true, reason: 'audit', workspaceId: held });

    const expired = [
      ...(await Promise.all(Array.from({ length: 7 }, (_, i) => storeRun('archive', plain, 400 + i)))),
      await storeRun('live', plain, 380),
      await storeRun('archive', short, 40),
      await storeRun('live', short, 35),
      await storeRun('archive', long, 1100),
    ];
    const kept: Array<[string, Table]> = [
      [await storeRun('archive', plain, 300), 'archive'],
      [await storeRun('live', plain, 5), 'live'],
      [await storeRun('live', plain, 500, 'running'), 'live'],
      [await storeRun('live', short, 10), 'live'],
      [await storeRun('archive', long, 400), 'archive'],
      [await storeRun('archive', held, 2000), 'archive'],
      [await storeRun('live', held, 500), 'live'],
    ];

    const run = await pollUntil(async () => (await app.get(DataRetentionService).deleteExpiredOnce()) ?? undefined, {
      what: 'the retention lock',
    });
    for (const id of expired) expect([id, await where(id)]).toEqual([id, null]);
    for (const [id, table] of kept) expect([id, await where(id)]).toEqual([id, table]);
    expect(run).toMatchObject({ archive: { nodeRuns: 18, runs: 9 }, live: { nodeRuns: 4, runs: 2 } });
    expect(run!.largestBatch).toBeLessThanOrEqual(BATCH);
    expect(run!.batches).toBeGreaterThanOrEqual(4);

    const deleted = await register.getSingleMetricAsString('weft_retention_rows_deleted_total');
    expect(deleted).toContain('weft_retention_rows_deleted_total{table="workflow_runs_archive"} 9');
    expect(deleted).toContain('weft_retention_rows_deleted_total{table="workflow_node_executions_archive"} 18');
    expect(deleted).toContain('weft_retention_rows_deleted_total{table="workflow_runs"} 2');
    const audit = await pollUntil(() => audits.find((e) => e.action === 'retention.delete_expired'), {
      what: 'the audit event of the retention run',
    });
    expect(audit).toMatchObject({
      actor: { id: 'orchestrator', type: 'system' },
      details: expect.objectContaining({ archived_runs: 9, default_retention_days: DEFAULT_RETENTION_DAYS, live_runs: 2 }),
      outcome: 'success',
    });

    // Once the hold is released, the held workspace's expired data goes too.
    await bus.request('wf.legal-hold.set.v1', { accountId: null, held: false, reason: null, workspaceId: held });
    expect(await app.get(DataRetentionService).deleteExpiredOnce()).toMatchObject({ archive: { runs: 1 }, live: { runs: 1 } });
    expect(await where(kept[5]![0])).toBeNull();
    expect(await where(kept[6]![0])).toBeNull();
  });

  it('lets one replica at a time run each job: a held lock makes the other skip', async () => {
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      for (const [key, job] of [
        ['weft:orchestrator:run-archive', () => app.get(RunArchiveService).archiveOnce()],
        ['weft:orchestrator:data-retention', () => app.get(DataRetentionService).deleteExpiredOnce()],
      ] as const) {
        await other.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        expect(await job()).toBeNull();
        await other.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
        expect(await job()).not.toBeNull();
      }
    } finally {
      await other.end();
    }
  });
});
