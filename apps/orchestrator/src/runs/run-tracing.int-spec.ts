import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SpanStatusCode } from '@opentelemetry/api';
import { loadConfig, orchestratorConfigSpec } from '@weft/config';
import { DatabaseService } from '@weft/persistence';
import { createServiceIdentity } from '@weft/platform';
import {
  createTestDatabase,
  DslBuilder,
  infraUrls,
  pollUntil,
  recordSpans,
  textInput,
  uniqueSuffix,
  type SpanRecorder,
  type TestDatabase,
  startRunRequest,
} from '@weft/testing';
import { startRunSpan, traceparentOf } from '../engine/run-tracing.util';
import { OrchestratorModule } from '../orchestrator.module';
import { WorkflowCache } from '../workflows/workflow-cache.service';
import { WorkflowDslService } from '../workflows/workflow-dsl.service';
import { WorkflowHandler } from '../workflows/workflow.handler';
import { RunRepository, type RunRow } from './run.repository';
import { RunService } from './run.service';

/**
 * The run and node spans of a real orchestrator (in process, against the test stack's Postgres and NATS): the
 * run's traceparent is stored with it, and a run whose orchestrator died is resumed under a span linked to it.
 */
describe('run spans of an orchestrator', () => {
  let database: TestDatabase;
  let orchestrator: INestApplicationContext;
  let recorder: SpanRecorder;
  const workspaceId = randomUUID();
  const appId = randomUUID();

  beforeAll(async () => {
    recorder = recordSpans();
    database = await createTestDatabase();
    const urls = infraUrls();
    const suffix = uniqueSuffix();
    const settings = {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      NATS_SUBJECT_PREFIX: `t${suffix}`,
      NATS_URL: urls.natsUrl,
      ...(urls.natsCredentialsDir ? { NATS_CREDENTIALS_DIR: urls.natsCredentialsDir } : {}),
      REDIS_KEY_PREFIX: `weft-test:${suffix}:`,
      REDIS_URL: urls.redisUrl,
      // Orphans are looked for every third of this.
      RUN_LEASE_TTL_MS: '1500',
    };
    orchestrator = await NestFactory.createApplicationContext(
      OrchestratorModule.forRoot(loadConfig('orchestrator', orchestratorConfigSpec, settings), createServiceIdentity('orchestrator')),
      { logger: false },
    );
    await orchestrator.get(DatabaseService).whenReady();
    const yaml = new DslBuilder('greeter')
      .node('start', 'start', { variables: [textInput('name')] })
      .node('greet', 'template-transform', {
        template: 'Hello {{ name }}!',
        variables: [{ value_selector: ['start', 'name'], variable: 'name' }],
      })
      .node('end', 'end', { outputs: [{ value_selector: ['greet', 'output'], variable: 'greeting' }] })
      .chain('start', 'greet', 'end')
      .toYaml();
    const imported = await orchestrator.get(WorkflowDslService).import({ accountId: null, appId, workspaceId, yaml });
    expect(imported.problems).toEqual([]);
    await orchestrator.get(WorkflowHandler).publish({ accountId: null, appId, workspaceId });
  });

  afterAll(async () => {
    await orchestrator?.close();
    await database?.drop();
    await recorder?.stop();
  });

  const storedRun = (runId: string) =>
    orchestrator
      .get(DatabaseService)
      .dataSource.query<{ status: string; trace_parent: string | null }[]>(
        `SELECT status, trace_parent FROM orchestrator.workflow_runs WHERE id = $1`,
        [runId],
      );
  const runSpanOf = (runId: string) => recorder.named('weft.workflow.run').find((s) => s.attributes['weft.run.id'] === runId);

  it("stores a run with its span's traceparent; its node spans are the run span's children", async () => {
    const runId = randomUUID();
    await orchestrator.get(RunService).start(startRunRequest({ appId, inputs: { name: 'Ada' }, runId, workspaceId }));
    const span = await pollUntil(() => runSpanOf(runId), { timeoutMs: 10_000, what: 'the run span to end' });
    expect(span.attributes).toMatchObject({ 'weft.app.id': appId, 'weft.run.resumed': false, 'weft.run.status': 'succeeded' });
    const [row] = await storedRun(runId);
    expect(row).toEqual({ status: 'succeeded', trace_parent: `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01` });
    const nodes = recorder.named('weft.node.execute').filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId);
    expect(nodes.map((s) => s.attributes['weft.node.type'])).toEqual(['start', 'template-transform', 'end']);
  });

  it('resumes a run whose orchestrator died under a new span linked to the stored one', async () => {
    const workflow = (await orchestrator.get(WorkflowCache).load(workspaceId, appId, 'published'))!;
    // The span of the run as its first orchestrator started it, before it died.
    const original = startRunSpan({ appId, chat: null, id: 'original', workflowId: workflow.id, workspaceId }, 'initial');
    original.end();
    const row: RunRow = {
      appId,
      chat: null,
      createdAt: new Date(),
      createdFrom: 'service-api',
      creator: { accountId: null, endUserId: randomUUID(), role: 'end_user', sessionId: 'ada' },
      files: [],
      id: randomUUID(),
      inputs: { name: 'Grace' },
      status: 'running',
      stopRequested: false,
      taskId: randomUUID(),
      traceParent: traceparentOf(original),
      version: workflow.version,
      workflowId: workflow.id,
      workspaceId,
    };
    // Stored under a lease nobody renews: the orchestrator claims it as an orphan.
    await orchestrator.get(RunRepository).insertRun(row, 'a-dead-orchestrator', 1);

    const span = await pollUntil(() => runSpanOf(row.id), { timeoutMs: 15_000, what: 'the resumed run span to end' });
    expect(span.attributes).toMatchObject({ 'weft.run.resumed': true, 'weft.run.status': 'succeeded' });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.links).toHaveLength(1);
    expect(span.links[0]!.context).toMatchObject({ spanId: original.spanContext().spanId, traceId: original.spanContext().traceId });
    // The stored context stays the original's, so a second resumption links to the same trace.
    expect(await storedRun(row.id)).toEqual([{ status: 'succeeded', trace_parent: traceparentOf(original) }]);
  });
});
