import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { databaseConfig, loadConfig } from '@weft/config';
import { DatabaseService, PersistenceModule } from '@weft/persistence';
import { createTestDatabase, queryDatabase, recordSpans, type TestDatabase } from '@weft/testing';
import { startRunSpan, traceparentOf } from '../engine/run-tracing.util';
import { orchestratorDatabase } from '../database.config';
import { RunRepository, type RunRow } from './run.repository';

describe('RunRepository against Postgres', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let runs: RunRepository;
  const workspaceId = randomUUID();
  const appId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    const database = loadConfig('test', databaseConfig, { DATABASE_URL: db.url, DATABASE_POOL_MAX: '4' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          applicationName: 'weft-run-repository-test',
          database,
          definition: orchestratorDatabase,
          migrateOnStart: true,
        }),
      ],
      providers: [RunRepository],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.get(DatabaseService).whenReady();
    runs = app.get(RunRepository);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  function newRun(overrides: Partial<RunRow> = {}): RunRow {
    return {
      appId,
      chat: null,
      createdAt: new Date(),
      createdFrom: 'service-api',
      creator: { accountId: null, endUserId: randomUUID(), role: 'end_user', sessionId: 'user-1' },
      files: [],
      id: randomUUID(),
      inputs: { q: 'hello' },
      status: 'running',
      stopRequested: false,
      taskId: randomUUID(),
      version: '2026-01-01 00:00:00.000000',
      workflowId: randomUUID(),
      workspaceId,
      ...overrides,
    };
  }

  it('batches concurrent inserts and stores every run', async () => {
    const many = Array.from({ length: 50 }, () => newRun());
    await Promise.all(many.map((r) => runs.insertRun(r, 'owner-a', 10_000)));
    const [{ n }] = await queryDatabase<{ n: number }>(
      db.url,
      'SELECT count(*)::int AS n FROM orchestrator.workflow_runs WHERE lease_owner = $1',
      ['owner-a'],
    );
    expect(n).toBe(50);
  });

  it('inserts a run that ended before its row was written as finished, without a lease', async () => {
    const run = newRun();
    const written = runs.insertRun(run, 'owner-a', 10_000);
    run.result = {
      elapsedTime: 0.002,
      error: null,
      exceptionsCount: 0,
      finishedAt: Date.now(),
      outputs: { done: true },
      status: 'succeeded',
      totalSteps: 3,
      totalTokens: 0,
    };
    await written;
    expect(run.insertedFinished).toBe(true);
    const [row] = await queryDatabase<{ status: string; lease_owner: string | null; outputs: unknown; total_steps: number }>(
      db.url,
      'SELECT status, lease_owner, outputs, total_steps FROM orchestrator.workflow_runs WHERE id = $1',
      [run.id],
    );
    expect(row).toEqual({ lease_owner: null, outputs: { done: true }, status: 'succeeded', total_steps: 3 });
  });

  it('still needs finishRun for a run that ended while its insert was under way', async () => {
    // A second session holds a lock that makes the insert wait, so the run ends after its row was built.
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE orchestrator.workflow_runs IN SHARE MODE');
      const run = newRun();
      const written = runs.insertRun(run, 'owner-a', 10_000);
      await expectInsertWaiting(blocker);
      run.result = {
        elapsedTime: 0.002,
        error: null,
        exceptionsCount: 0,
        finishedAt: Date.now(),
        outputs: { done: true },
        status: 'succeeded',
        totalSteps: 3,
        totalTokens: 0,
      };
      await blocker.query('COMMIT');
      await written;
      expect(run.insertedFinished).toBeFalsy();
      const status = async () =>
        (await queryDatabase<{ status: string }>(db.url, 'SELECT status FROM orchestrator.workflow_runs WHERE id = $1', [run.id]))[0]
          ?.status;
      expect(await status()).toBe('running');
      await runs.finishRun(run.id, run.result);
      expect(await status()).toBe('succeeded');
    } finally {
      await blocker.end();
    }
  });

  /** Waits until another session's INSERT into workflow_runs is waiting for a lock. */
  async function expectInsertWaiting(observer: Client): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const waiting = await observer.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO orchestrator.workflow_runs%'",
      );
      if (waiting.rows[0]!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('The run insert never reached the lock');
  }

  it('marks a running run for stopping by task id, only in its own workspace and app', async () => {
    const run = newRun();
    await runs.insertRun(run, 'owner-a', 10_000);
    expect(await runs.requestStop(randomUUID(), appId, run.taskId)).toBeNull();
    expect(await runs.requestStop(workspaceId, appId, run.taskId)).toBe(run.id);
  });

  it('lets another owner claim runs whose lease expired, once', async () => {
    const run = newRun();
    await runs.insertRun(run, 'owner-dead', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [first, second] = await Promise.all([
      runs.claimExpiredLeases('owner-b', 10_000, 100),
      runs.claimExpiredLeases('owner-c', 10_000, 100),
    ]);
    const claimers = [first, second].filter((claimed) => claimed.some((r) => r.id === run.id));
    expect(claimers).toHaveLength(1);
    expect(claimers[0]!.find((r) => r.id === run.id)).toMatchObject({ inputs: { q: 'hello' }, status: 'running', taskId: run.taskId });
    expect(await runs.claimExpiredLeases('owner-d', 10_000, 100)).not.toContainEqual(expect.objectContaining({ id: run.id }));
  });

  it("keeps a run's traceparent for the orchestrator that claims it, whose run span links to the original", async () => {
    const recorder = recordSpans();
    try {
      const run = newRun();
      const original = startRunSpan(run, 'initial');
      run.traceParent = traceparentOf(original);
      original.end();
      expect(run.traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await runs.insertRun(run, 'owner-dead', 1);
      const untraced = newRun();
      await runs.insertRun(untraced, 'owner-dead', 1);
      await new Promise((resolve) => setTimeout(resolve, 20));

      const claimed = await runs.claimExpiredLeases('owner-b', 10_000, 100);
      const resumed = claimed.find((r) => r.id === run.id)!;
      expect(resumed.traceParent).toBe(run.traceParent);
      expect(claimed.find((r) => r.id === untraced.id)!.traceParent).toBeNull();

      startRunSpan(resumed, 'resumption').end();
      const [, span] = recorder.named('weft.workflow.run');
      expect(span!.attributes['weft.run.resumed']).toBe(true);
      expect(span!.links.map((l) => l.context.spanId)).toEqual([original.spanContext().spanId]);
    } finally {
      await recorder.stop();
    }
  });

  it('keeps the latest state of a node execution written twice, and finishes a run once', async () => {
    const run = newRun();
    await runs.insertRun(run, 'owner-a', 10_000);
    const record = {
      createdAt: Date.now(),
      edgeSourceHandle: null,
      elapsedTime: 0,
      error: null,
      executionMetadata: null,
      finishedAt: null,
      id: randomUUID(),
      index: 1,
      inputs: null,
      nodeId: 'n1',
      nodeType: 'llm',
      outputs: null,
      predecessorNodeId: null,
      processData: null,
      status: 'running' as const,
      title: 'LLM',
    };
    await Promise.all([
      runs.saveNode(run, record),
      runs.saveNode(run, { ...record, finishedAt: Date.now(), outputs: { text: 'x'.repeat(300_000) }, status: 'succeeded' }),
    ]);
    const nodes = await runs.nodesOf(run.id);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]!.status).toBe('succeeded');
    expect((nodes[0]!.outputs as { text: string }).text).toHaveLength(300_000);
    const result = {
      elapsedTime: 1,
      error: null,
      exceptionsCount: 0,
      finishedAt: Date.now(),
      outputs: { a: 1 },
      status: 'succeeded' as const,
      totalSteps: 1,
      totalTokens: 5,
    };
    await runs.finishRun(run.id, result);
    await runs.finishRun(run.id, { ...result, status: 'failed' });
    expect(await runs.findRun(workspaceId, appId, run.id)).toMatchObject({ outputs: { a: 1 }, status: 'succeeded', total_tokens: 5 });
  });
});
