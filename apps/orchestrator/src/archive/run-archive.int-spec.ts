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
} from '@weft/testing';
import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { orchestratorDatabase } from '../database.config';
import { RunRepository, type RunRow } from '../runs/run.repository';
import { ArchiveModule } from './archive.module';
import { RetentionScheduler } from './retention-scheduler.service';
import { RunArchiveService } from './run-archive.service';

const OLD_RUNS = 100_000;
const NODES_PER_RUN = 10;
const BATCH = 1000;
/** A generous bound on how long a small live write may wait while the job runs: it bounds lock time, it is no benchmark. */
const MAX_WRITE_LATENCY_MS = 2000;

const workspaceId = randomUUID();
const appId = randomUUID();
const workflowId = randomUUID();

async function count(url: string, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [{ n }] = await queryDatabase<{ n: number }>(url, `SELECT count(*)::int AS n FROM orchestrator.${table} WHERE ${where}`, params);
  return n;
}

/** A run the way RunService starts one, for the writes that go on while the archive job runs. */
function freshRun(): RunRow {
  return {
    appId,
    chat: null,
    createdAt: new Date(),
    createdFrom: 'service-api',
    creator: { accountId: null, endUserId: randomUUID(), role: 'end_user', sessionId: 'live-user' },
    files: [],
    id: randomUUID(),
    inputs: { q: 'fresh' },
    status: 'running',
    stopRequested: false,
    taskId: randomUUID(),
    version: 'v1',
    workflowId,
    workspaceId,
  };
}

describe('the run archive job, with a million node runs and runs executing meanwhile (real Postgres and NATS)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const audits: AuditEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const { natsUrl, redisUrl } = infraUrls();
    const config = loadConfig('orchestrator', orchestratorConfigSpec, {
      DATABASE_POOL_MAX: '8',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      NATS_SUBJECT_PREFIX: `t${uniqueSuffix()}`,
      NATS_URL: natsUrl,
      REDIS_URL: redisUrl,
      RUN_ARCHIVE_AFTER_DAYS: '90',
      RUN_ARCHIVE_BATCH_PAUSE_MS: '10',
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
          applicationName: 'weft-archive-test',
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
    const bus = app.get(MessageBus);
    await bus.start();
    bus.consume('audit.event.v1', `archive-test-${uniqueSuffix()}`, async (event) => {
      audits.push(event);
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('moves every old finished run in bounded batches, never a fresh or running one, without holding up live writes', async () => {
    // A million node runs of 100,000 old finished runs, written by set-returning SQL (ids in key order so the
    // indexes fill like a live table's), plus what must stay: old runs still running, and recent finished runs.
    const runId = (prefix: string, expr: string) => `('${prefix}-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
    await queryDatabase(
      db.url,
      `SET synchronous_commit = off;
       INSERT INTO orchestrator.workflow_runs (id, workspace_id, app_id, workflow_id, task_id, version, triggered_from, created_from, inputs, files,
         status, outputs, elapsed_time, total_steps, created_by_role, created_by_end_user_id, created_by_end_user_session_id, created_at, finished_at)
       SELECT ${runId('00000000', 'i')}, '${workspaceId}', '${appId}', '${workflowId}', ${runId('10000000', 'i')}, 'v1', 'app-run', 'service-api',
         '{"q": "old"}', '[]', 'succeeded', '{"answer": "an old answer"}', 0.02, ${NODES_PER_RUN}, 'end_user', 'end-user-1', 'old-user',
         now() - interval '400 days' + i * interval '1 minute', now() - interval '400 days' + i * interval '1 minute' + interval '20 ms'
       FROM generate_series(1, ${OLD_RUNS}) AS i;
       INSERT INTO orchestrator.workflow_node_executions (id, workspace_id, app_id, workflow_id, workflow_run_id, index, node_id, node_type, title,
         inputs, outputs, status, elapsed_time, created_at, finished_at)
       SELECT ${runId('20000000', 'i')}, '${workspaceId}', '${appId}', '${workflowId}', ${runId('00000000', `(i - 1) / ${NODES_PER_RUN} + 1`)},
         (i - 1) % ${NODES_PER_RUN} + 1, 'node' || (i - 1) % ${NODES_PER_RUN}, 'template-transform', 'Template',
         '{"text": "some input"}', '{"output": "some output"}', 'succeeded', 0.001,
         now() - interval '400 days' + ((i - 1) / ${NODES_PER_RUN} + 1) * interval '1 minute', now() - interval '400 days' + ((i - 1) / ${NODES_PER_RUN} + 1) * interval '1 minute'
       FROM generate_series(1, ${OLD_RUNS * NODES_PER_RUN}) AS i;
       INSERT INTO orchestrator.workflow_runs (id, workspace_id, app_id, workflow_id, task_id, version, triggered_from, created_from, inputs, files,
         status, created_by_role, created_at, finished_at, lease_owner, lease_expires_at)
       SELECT gen_random_uuid(), '${workspaceId}', '${appId}', '${workflowId}', gen_random_uuid(), 'v1', 'app-run', 'service-api', '{}', '[]',
         CASE WHEN i <= 5 THEN 'running' ELSE 'succeeded' END, 'end_user',
         CASE WHEN i <= 5 THEN now() - interval '200 days' ELSE now() - interval '10 days' END,
         CASE WHEN i <= 5 THEN NULL ELSE now() - interval '10 days' END,
         CASE WHEN i <= 5 THEN 'some-orchestrator' END, CASE WHEN i <= 5 THEN now() + interval '1 hour' END
       FROM generate_series(1, 50) AS i;
       ANALYZE orchestrator.workflow_runs; ANALYZE orchestrator.workflow_node_executions;`,
    );
    const runsBefore = await count(db.url, 'workflow_runs');
    const nodesBefore = await count(db.url, 'workflow_node_executions');
    expect(nodesBefore).toBe(OLD_RUNS * NODES_PER_RUN);
    expect(runsBefore).toBe(OLD_RUNS + 50);

    // Runs keep executing while the job runs: each one inserted, two node-run writes, finished, through the
    // same repository (and write batching) that RunService uses, each write timed.
    const runs = app.get(RunRepository);
    const fresh: string[] = [];
    const latencies: number[] = [];
    let jobDone = false;
    const timed = async (write: Promise<void>) => {
      const started = performance.now();
      await write;
      latencies.push(performance.now() - started);
    };
    const writer = (async () => {
      while (!jobDone) {
        const run = freshRun();
        await timed(runs.insertRun(run, 'live-orchestrator', 60_000));
        fresh.push(run.id);
        const node = {
          createdAt: Date.now(),
          edgeSourceHandle: null,
          elapsedTime: 0,
          error: null,
          executionMetadata: null,
          finishedAt: null,
          id: randomUUID(),
          index: 1,
          inputs: { q: 'fresh' },
          nodeId: 'start',
          nodeType: 'start',
          outputs: null,
          predecessorNodeId: null,
          processData: null,
          status: 'running' as const,
          title: 'Start',
        };
        await timed(runs.saveNode(run, node));
        await timed(runs.saveNode(run, { ...node, finishedAt: Date.now(), outputs: { q: 'fresh' }, status: 'succeeded' }));
        await timed(
          runs.finishRun(run.id, {
            elapsedTime: 0.01,
            error: null,
            exceptionsCount: 0,
            finishedAt: Date.now(),
            outputs: { a: 1 },
            status: 'succeeded',
            totalSteps: 1,
            totalTokens: 0,
          }),
        );
      }
    })();

    const result = await app.get(RunArchiveService).archiveOnce();
    jobDone = true;
    await writer;

    // Everything old and finished moved, in batches of at most the batch size (so as many transactions as that takes).
    expect(result).toMatchObject({ nodeRuns: OLD_RUNS * NODES_PER_RUN, runs: OLD_RUNS });
    expect(result!.largestBatch).toBeLessThanOrEqual(BATCH);
    expect(result!.batches).toBeGreaterThanOrEqual(Math.ceil(OLD_RUNS / BATCH));
    const cutoff = result!.cutoff.toISOString();
    expect(await count(db.url, 'workflow_runs', `created_at < $1 AND status <> 'running'`, [cutoff])).toBe(0);
    expect(await count(db.url, 'workflow_node_executions', `created_at < $1`, [cutoff])).toBe(0);

    // Nothing that must stay moved: the old running runs, the recent runs, every run written meanwhile.
    expect(await count(db.url, 'workflow_runs', `status = 'running' AND created_at < $1`, [cutoff])).toBe(5);
    expect(await count(db.url, 'workflow_runs', `created_at >= $1`, [cutoff])).toBe(45 + fresh.length);
    expect(await count(db.url, 'workflow_runs_archive', `id = ANY($1::uuid[])`, [fresh])).toBe(0);
    expect(await count(db.url, 'workflow_runs_archive', `created_at >= $1 OR status = 'running'`, [cutoff])).toBe(0);
    expect(await count(db.url, 'workflow_node_executions', `workflow_run_id = ANY($1::uuid[]) AND status = 'succeeded'`, [fresh])).toBe(
      fresh.length,
    );

    // Live and archive together hold exactly what there was, plus what was written meanwhile.
    expect((await count(db.url, 'workflow_runs')) + (await count(db.url, 'workflow_runs_archive'))).toBe(runsBefore + fresh.length);
    expect((await count(db.url, 'workflow_node_executions')) + (await count(db.url, 'workflow_node_executions_archive'))).toBe(
      nodesBefore + fresh.length,
    );

    // Live writes went on during the job and none waited long on it.
    expect(fresh.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(MAX_WRITE_LATENCY_MS);

    // An archived run is still readable, with its node runs in order.
    const archivedId = '00000000-0000-4000-8000-000000000007';
    expect(await runs.findRun(workspaceId, appId, archivedId)).toMatchObject({
      id: archivedId,
      outputs: { answer: 'an old answer' },
      status: 'succeeded',
    });
    expect((await runs.nodesOf(archivedId)).map((n) => n.index)).toEqual(Array.from({ length: NODES_PER_RUN }, (_, i) => i + 1));

    // Counted in metrics, and audited.
    const archived = await register.getSingleMetricAsString('weft_retention_rows_archived_total');
    expect(archived).toContain(`weft_retention_rows_archived_total{table="workflow_runs"} ${OLD_RUNS}`);
    expect(archived).toContain(`weft_retention_rows_archived_total{table="workflow_node_executions"} ${OLD_RUNS * NODES_PER_RUN}`);
    const audit = await pollUntil(() => audits.find((e) => e.action === 'retention.archive_runs'), {
      what: 'the audit event of the archive run',
    });
    expect(audit).toMatchObject({
      actor: { id: 'orchestrator', type: 'system' },
      details: expect.objectContaining({ batches: result!.batches, node_runs: OLD_RUNS * NODES_PER_RUN, runs: OLD_RUNS }),
      outcome: 'success',
      service: 'orchestrator',
    });

    // A second run finds nothing left to move.
    expect(await app.get(RunArchiveService).archiveOnce()).toMatchObject({ batches: 0, runs: 0 });
    console.log(
      `Archived ${OLD_RUNS} runs and ${OLD_RUNS * NODES_PER_RUN} node runs in ${result!.batches} batches; ${fresh.length} runs written meanwhile, slowest write ${Math.round(Math.max(...latencies))} ms`,
    );
  }, 300_000);
});
