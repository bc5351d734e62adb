import { randomUUID } from 'node:crypto';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { gatewayConfigSpec, loadConfig, orchestratorConfigSpec } from '@weft/config';
import { AuditService } from '@weft/audit';
import { DomainError, type AuditEvent, type RunStreamEvent } from '@weft/contracts';
import { MessageBus, MessagingModule } from '@weft/messaging';
import { METRIC, MetricsModule } from '@weft/metrics';
import { DatabaseService } from '@weft/persistence';
import { createServiceIdentity } from '@weft/platform';
import {
  createTestDatabase,
  DslBuilder,
  expectEventually,
  infraUrls,
  operatorBusOptions,
  pollUntil,
  textInput,
  uniqueSuffix,
  type TestDatabase,
  startRunRequest,
} from '@weft/testing';
import type { Response } from 'express';
import { Client as PgClient } from 'pg';
import { register, type Gauge } from 'prom-client';
import { ChatMessageService } from '../../apps/gateway/src/conversations/chat-message.service';
import { ConversationService as GatewayConversations } from '../../apps/gateway/src/conversations/conversation.service';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import type { AppKeyContext } from '../../apps/gateway/src/service-api/app-key.guard';
import { WorkflowRunService } from '../../apps/gateway/src/service-api/workflow-run.service';
import { ConversationService } from '../../apps/orchestrator/src/conversations/conversation.service';
import { OrchestratorModule } from '../../apps/orchestrator/src/orchestrator.module';
import { RunService } from '../../apps/orchestrator/src/runs/run.service';
import { RunStartAudits } from '../../apps/orchestrator/src/runs/run-start-audits.service';

/**
 * The application services the five-process end-to-end tests cover, here in process: the orchestrator's
 * RunService and ConversationService, and the gateway's WorkflowRunService and ChatMessageService, each
 * called directly, against the real Postgres, NATS and Redis of the test stack.
 */
describe('application services in process', () => {
  let database: TestDatabase;
  let orchestrator: INestApplicationContext;
  let gateway: INestApplicationContext;
  let bus: MessageBus;
  const workspaceId = randomUUID();
  const noResponse = {} as Response;
  let settings: Record<string, string> = {};
  const env = () => settings;

  const workflowApp = new DslBuilder('greeter')
    .node('start', 'start', { variables: [textInput('name')] })
    .node('greet', 'template-transform', {
      template: 'Hello {{ name }}!',
      variables: [{ value_selector: ['start', 'name'], variable: 'name' }],
    })
    .node('end', 'end', { outputs: [{ value_selector: ['greet', 'output'], variable: 'greeting' }] })
    .chain('start', 'greet', 'end')
    .toYaml();
  const counterApp = new DslBuilder('counter', 'advanced-chat')
    .conversationVariable('count', 'number', 0)
    .node('start', 'start', { variables: [textInput('topic', { required: false })] })
    .node('assign', 'assigner', {
      items: [{ input_type: 'constant', operation: '+=', value: 1, variable_selector: ['conversation', 'count'] }],
      version: '2',
    })
    .node('answer', 'answer', { answer: 'count={{#conversation.count#}} topic={{#start.topic#}} q={{#sys.query#}}' })
    .chain('start', 'assign', 'answer')
    .toYaml();

  /** Imports and publishes an app through the orchestrator's subjects; the gateway's own app row is not needed here. */
  async function deploy(yaml: string, mode: 'workflow' | 'advanced-chat'): Promise<AppKeyContext> {
    const appId = randomUUID();
    const imported = await bus.request('wf.workflow.import.v1', { accountId: null, appId, workspaceId, yaml });
    expect(imported.problems).toEqual([]);
    await bus.request('wf.workflow.publish.v1', { accountId: null, appId, workspaceId });
    const now = new Date();
    return {
      app: {
        createdAt: now,
        description: '',
        enableApi: true,
        icon: '',
        iconBackground: '',
        iconType: 'emoji',
        id: appId,
        mode,
        modelConfig: null,
        name: mode,
        useIconAsAnswerIcon: false,
        workspaceId,
      },
      keyId: randomUUID(),
    };
  }

  /** Collects a run's events until one ends its stream. */
  function eventsOf(runId: string, last: (event: RunStreamEvent) => boolean): { done: Promise<RunStreamEvent[]> } {
    const events: RunStreamEvent[] = [];
    let off: () => void = () => undefined;
    const done = new Promise<RunStreamEvent[]>((resolve) => {
      off = bus.listen('wf.run.event.v1', runId, (event) => {
        events.push(event);
        if (last(event)) resolve(events);
      });
    });
    return { done: done.finally(() => off()) };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const urls = infraUrls();
    const suffix = uniqueSuffix();
    settings = {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      NATS_SUBJECT_PREFIX: `t${suffix}`,
      NATS_URL: urls.natsUrl,
      ...(urls.natsCredentialsDir ? { NATS_CREDENTIALS_DIR: urls.natsCredentialsDir } : {}),
      REDIS_KEY_PREFIX: `weft-test:${suffix}:`,
      REDIS_URL: urls.redisUrl,
    };
    orchestrator = await NestFactory.createApplicationContext(
      OrchestratorModule.forRoot(loadConfig('orchestrator', orchestratorConfigSpec, env()), createServiceIdentity('orchestrator')),
      {
        logger: false,
      },
    );
    gateway = await NestFactory.createApplicationContext(
      GatewayModule.forRoot(loadConfig('gateway', gatewayConfigSpec, env()), createServiceIdentity('gateway')),
      { logger: false },
    );
    bus = gateway.get(MessageBus);
    // Both contexts connect to NATS once bootstrapped; the first request that goes through says they are up.
    await pollUntil(
      () =>
        bus
          .request('wf.run.get.v1', { appId: randomUUID(), runId: randomUUID(), workspaceId })
          .catch((e: unknown) => (e instanceof DomainError && e.code === 'not_found' ? true : undefined)),
      {
        timeoutMs: 30_000,
        what: 'the orchestrator to answer over NATS',
      },
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await orchestrator?.close();
    await database?.drop();
  });

  describe('RunService (orchestrator)', () => {
    it('stores a run, drives it to its end and ends its stream with the events it keeps for late readers', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      const runs = orchestrator.get(RunService);
      const runId = randomUUID();
      const live = eventsOf(runId, (e) => e.event === 'workflow_finished');
      // What a blocking caller listens to: the ending only.
      const ended: RunStreamEvent[] = [];
      const offEnded = bus.listen('wf.run.ended.v1', runId, (event) => ended.push(event));
      const started = await runs.start(startRunRequest({ appId: ctx.app.id, inputs: { name: 'Ada' }, runId, workspaceId }));
      expect(started).toMatchObject({ conversationId: null, runId });
      const events = await live.done;
      await expectEventually(() => expect(ended.map((e) => e.event)).toEqual(['workflow_finished']));
      offEnded();
      expect(ended[0]).toEqual(events.at(-1));
      expect(events.map((e) => e.event)).toEqual([
        'workflow_started',
        'node_started',
        'node_finished',
        'node_started',
        'node_finished',
        'node_started',
        'node_finished',
        'workflow_finished',
      ]);
      const finished = events.at(-1)!;
      expect(finished['data']).toMatchObject({ outputs: { greeting: 'Hello Ada!' }, status: 'succeeded' });
      // A reader that missed the live events gets the same ending from the store.
      expect(await runs.ending(workspaceId, ctx.app.id, runId)).toEqual({ answer: null, events: [finished] });
      expect(await runs.get(workspaceId, ctx.app.id, runId)).toMatchObject({ outputs: { greeting: 'Hello Ada!' }, status: 'succeeded' });
    });

    it('counts a run in weft_runs_in_flight while this orchestrator drives it, and not once it has stopped', async () => {
      // A code node runs in a node runner, and none runs here: the run waits on its job until it is stopped.
      const waiting = new DslBuilder('waits-for-a-runner')
        .node('start', 'start', { variables: [] })
        .node('code', 'code', {
          code: 'function main() { return { result: "never" }; }',
          code_language: 'javascript',
          outputs: { result: { children: null, type: 'string' } },
          variables: [],
        })
        .node('end', 'end', { outputs: [{ value_selector: ['code', 'result'], variable: 'result' }] })
        .chain('start', 'code', 'end')
        .toYaml();
      const ctx = await deploy(waiting, 'workflow');
      const runs = orchestrator.get(RunService);
      const gauge = register.getSingleMetric(METRIC.runsInFlight) as Gauge;
      const inFlight = async () => (await gauge.get()).values[0]?.value ?? 0;
      const before = await inFlight();
      const runId = randomUUID();
      const taskId = randomUUID();
      const live = eventsOf(runId, (e) => e.event === 'workflow_finished');
      await runs.start(startRunRequest({ appId: ctx.app.id, runId, taskId, workspaceId }));
      expect(await inFlight()).toBe(before + 1);
      expect(await runs.get(workspaceId, ctx.app.id, runId)).toMatchObject({ status: 'running' });
      expect(await inFlight()).toBe(before + 1);
      expect(await runs.stop(workspaceId, ctx.app.id, taskId)).toBe(true);
      const events = await live.done;
      expect(events.at(-1)!['data']).toMatchObject({ status: 'stopped' });
      await pollUntil(async () => (await inFlight()) === before, { what: 'the run to leave weft_runs_in_flight' });
    });

    it('refuses bad inputs before storing anything', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      const runs = orchestrator.get(RunService);
      const runId = randomUUID();
      const start = runs.start(startRunRequest({ appId: ctx.app.id, runId, workspaceId }));
      await expect(start).rejects.toMatchObject({ code: 'invalid_param' });
      await expect(runs.get(workspaceId, ctx.app.id, runId)).rejects.toMatchObject({ code: 'not_found' });
    });

    it('keeps a chat turn with its run: a new conversation, its message completed before the stream ends, the next turn continuing it', async () => {
      const ctx = await deploy(counterApp, 'advanced-chat');
      const runs = orchestrator.get(RunService);
      const conversations = orchestrator.get(ConversationService);
      const endUserId = randomUUID();
      const owner = { appId: ctx.app.id, endUserId, workspaceId };
      const turn = async (conversationId: string | null, query: string, inputs: Record<string, unknown> = {}) => {
        const runId = randomUUID();
        const messageId = randomUUID();
        const live = eventsOf(runId, (e) => e.event === 'workflow_finished');
        const started = await runs.start(
          startRunRequest({
            appId: ctx.app.id,
            chat: { autoGenerateName: false, conversationId, messageId, mode: 'advanced-chat', query },
            creator: { accountId: null, endUserId, role: 'end_user', sessionId: 'grace' },
            inputs,
            runId,
            workspaceId,
          }),
        );
        const events = await live.done;
        // When the stream ends, the message is already complete: the next turn's memory holds it.
        const page = await conversations.messages({ ...owner, conversationId: started.conversationId!, firstId: null, limit: 20 });
        return { events, messageId, page, started };
      };
      const first = await turn(null, 'hello', { topic: 'tea' });
      expect(first.started.conversationId).toEqual(expect.any(String));
      expect(first.events.map((e) => e.event)).toEqual(expect.arrayContaining(['message', 'message_end', 'workflow_finished']));
      expect(first.events.findIndex((e) => e.event === 'message_end')).toBeLessThan(
        first.events.findIndex((e) => e.event === 'workflow_finished'),
      );
      expect(first.page.data).toEqual([
        expect.objectContaining({ answer: 'count=1 topic=tea q=hello', id: first.messageId, query: 'hello', status: 'normal' }),
      ]);

      // The second turn continues the conversation: its variables and its first turn's inputs, not the new ones.
      const second = await turn(first.started.conversationId, 'again', { topic: 'coffee' });
      expect(second.started.conversationId).toBe(first.started.conversationId);
      expect(second.page.data.map((m) => m.answer)).toEqual(['count=1 topic=tea q=hello', 'count=2 topic=tea q=again']);
      expect(await conversations.history(workspaceId, first.started.conversationId!, 10)).toEqual([
        { answer: 'count=1 topic=tea q=hello', query: 'hello' },
        { answer: 'count=2 topic=tea q=again', query: 'again' },
      ]);

      // Another end user, or a conversation that does not exist, is refused before anything is stored.
      const stranger = runs.start({
        appId: ctx.app.id,
        attempt: 1,
        audit: null,
        chat: {
          autoGenerateName: false,
          conversationId: first.started.conversationId,
          messageId: randomUUID(),
          mode: 'advanced-chat',
          query: 'mine now',
        },
        createdFrom: 'service-api',
        creator: { accountId: null, endUserId: randomUUID(), role: 'end_user', sessionId: 'mallory' },
        files: [],
        inputs: {},
        runId: randomUUID(),
        taskId: randomUUID(),
        workflowId: null,
        workspaceId,
      });
      await expect(stranger).rejects.toMatchObject({ code: 'not_found', message: 'Conversation Not Exists.' });
      // A turn that names no end user is refused before anything is stored (conversations belong to one).
      const anonymous = runs.start(
        startRunRequest({
          appId: ctx.app.id,
          chat: { autoGenerateName: false, conversationId: null, messageId: randomUUID(), mode: 'advanced-chat', query: 'who am I' },
          creator: { accountId: randomUUID(), endUserId: null, role: 'account', sessionId: null },
          workspaceId,
        }),
      );
      await expect(anonymous).rejects.toMatchObject({ code: 'invalid_param' });
      expect(
        (await conversations.messages({ ...owner, conversationId: first.started.conversationId!, firstId: null, limit: 20 })).data,
      ).toHaveLength(2);
    });
  });

  describe('idempotent start by run id (the gateway sends a start again when no orchestrator answered)', () => {
    let second: INestApplicationContext;

    beforeAll(async () => {
      // A second orchestrator instance (its own lease owner id) on the same database and bus.
      second = await NestFactory.createApplicationContext(
        OrchestratorModule.forRoot(loadConfig('orchestrator', orchestratorConfigSpec, env()), createServiceIdentity('orchestrator')),
        { logger: false },
      );
      // It connects to the database in the background; until then it would answer starts with `unavailable`.
      await pollUntil(
        () => {
          try {
            return Boolean(second.get(DatabaseService).dataSource) || undefined;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 30_000, what: 'the second orchestrator to reach the database' },
      );
    });

    afterAll(async () => {
      await second?.close();
    });

    const sql = <T>(query: string, params: unknown[]): Promise<T[]> => orchestrator.get(DatabaseService).dataSource.query(query, params);

    function workflowStart(appId: string, runId: string, attempt: number) {
      return startRunRequest({ appId, attempt, inputs: { name: 'Ada' }, runId, workspaceId });
    }

    /** Every event published for the run while `during` runs, and until `quietMs` after its workflow_finished. */
    async function recordEvents(runId: string, during: () => Promise<unknown>): Promise<RunStreamEvent[]> {
      const events: RunStreamEvent[] = [];
      const off = bus.listen('wf.run.event.v1', runId, (event) => events.push(event));
      try {
        await during();
        await pollUntil(() => events.some((e) => e.event === 'workflow_finished') || undefined, {
          timeoutMs: 20_000,
          what: 'the run to finish',
        });
        // A second run of the id, had one started, would publish within this window too.
        await new Promise((resolve) => setTimeout(resolve, 500));
        return events;
      } finally {
        off();
      }
    }

    it('answers a start sent again after the run was stored with that run, and runs nothing twice', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      const runId = randomUUID();
      let first: unknown;
      let again: unknown;
      const events = await recordEvents(runId, async () => {
        first = await orchestrator.get(RunService).start(workflowStart(ctx.app.id, runId, 1));
        again = await second
          .get(RunService)
          .start({ ...workflowStart(ctx.app.id, runId, 2), taskId: (first as { taskId: string }).taskId });
      });
      expect(again).toEqual(first);
      expect(events.filter((e) => e.event === 'workflow_started')).toHaveLength(1);
      expect(events.filter((e) => e.event === 'workflow_finished')).toHaveLength(1);
      const nodes = await sql<{ n: number }>(
        'SELECT count(*)::int AS n FROM orchestrator.workflow_node_executions WHERE workflow_run_id = $1',
        [runId],
      );
      expect(nodes[0]!.n).toBeLessThanOrEqual(3);
    });

    it('costs a normal start no extra round trip: only a start sent again reads before it stores', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      /** The statements that name the run (in their text or parameters) while it is started and run to its end. */
      const statementsOf = async (attempt: number): Promise<string[]> => {
        const runId = randomUUID();
        const seen: string[] = [];
        // A pass-through spy: every statement still goes to Postgres; it is only read on its way.
        const original = PgClient.prototype.query as (...args: unknown[]) => unknown;
        const spy = jest.spyOn(PgClient.prototype, 'query').mockImplementation(function (this: PgClient, ...args: unknown[]) {
          const [text, params] = args;
          if (typeof text === 'string' && JSON.stringify(params ?? []).includes(runId))
            seen.push(text.trim().split(/\s+/).slice(0, 3).join(' '));
          return original.apply(this, args) as never;
        });
        try {
          await recordEvents(runId, () => orchestrator.get(RunService).start(workflowStart(ctx.app.id, runId, attempt)));
        } finally {
          spy.mockRestore();
        }
        return seen;
      };
      const normal = await statementsOf(1);
      const again = await statementsOf(2);
      expect(normal[0]).toBe('INSERT INTO orchestrator.workflow_runs');
      expect(again[0]).toMatch(/^SELECT \* FROM/);
      // The same statements otherwise (their order between batches may vary).
      expect([...again.slice(1)].sort()).toEqual([...normal].sort());
    });

    it("never answers another app's run: a start whose run id is taken elsewhere is not_found and changes nothing", async () => {
      const mine = await deploy(workflowApp, 'workflow');
      const theirs = await deploy(workflowApp, 'workflow');
      const runId = randomUUID();
      const events = await recordEvents(runId, () => orchestrator.get(RunService).start(workflowStart(mine.app.id, runId, 1)));
      for (const attempt of [1, 2])
        await expect(second.get(RunService).start(workflowStart(theirs.app.id, runId, attempt))).rejects.toMatchObject({
          code: 'not_found',
        });
      expect(events.filter((e) => e.event === 'workflow_started')).toHaveLength(1);
      const runs = await sql<{ app_id: string }>('SELECT app_id FROM orchestrator.workflow_runs WHERE id = $1', [runId]);
      expect(runs).toEqual([{ app_id: mine.app.id }]);
    });

    it('stores and runs a run once when two orchestrators start the same run id at the same moment', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      for (let round = 0; round < 5; round++) {
        const runId = randomUUID();
        const req = workflowStart(ctx.app.id, runId, 1);
        let answers: { runId: string; taskId: string }[] = [];
        const events = await recordEvents(runId, async () => {
          answers = await Promise.all([orchestrator.get(RunService).start(req), second.get(RunService).start(req)]);
        });
        expect(answers.map((a) => a.runId)).toEqual([runId, runId]);
        expect(events.filter((e) => e.event === 'workflow_started')).toHaveLength(1);
        expect(events.filter((e) => e.event === 'workflow_finished')).toHaveLength(1);
        expect(events.at(-1)!['data']).toMatchObject({ outputs: { greeting: 'Hello Ada!' }, status: 'succeeded' });
        const runs = await sql<{ status: string }>('SELECT status FROM orchestrator.workflow_runs WHERE id = $1', [runId]);
        expect(runs).toEqual([{ status: 'succeeded' }]);
      }
    });

    it('keeps one conversation and one message when two orchestrators start the same chat turn at once', async () => {
      const ctx = await deploy(counterApp, 'advanced-chat');
      const endUserId = randomUUID();
      for (let round = 0; round < 3; round++) {
        const runId = randomUUID();
        const messageId = randomUUID();
        const req = startRunRequest({
          appId: ctx.app.id,
          attempt: 2,
          chat: { autoGenerateName: false, conversationId: null, messageId, mode: 'advanced-chat', query: `hello ${round}` },
          creator: { accountId: null, endUserId, role: 'end_user', sessionId: 'grace' },
          runId,
          workspaceId,
        });
        let answers: { conversationId: string | null }[] = [];
        const events = await recordEvents(runId, async () => {
          answers = await Promise.all([orchestrator.get(RunService).start(req), second.get(RunService).start({ ...req, attempt: 1 })]);
        });
        expect(answers[0]!.conversationId).toEqual(expect.any(String));
        expect(answers[1]!.conversationId).toBe(answers[0]!.conversationId);
        expect(events.filter((e) => e.event === 'workflow_started')).toHaveLength(1);
        const messages = await sql<{ conversation_id: string; status: string }>(
          'SELECT conversation_id, status FROM orchestrator.messages WHERE workflow_run_id = $1',
          [runId],
        );
        expect(messages).toEqual([{ conversation_id: answers[0]!.conversationId, status: 'normal' }]);
        const conversations = await sql<{ dialogue_count: number }>(
          'SELECT dialogue_count FROM orchestrator.conversations WHERE end_user_id = $1 AND id = $2',
          [endUserId, answers[0]!.conversationId],
        );
        expect(conversations).toEqual([{ dialogue_count: 1 }]);
      }
      // Only the conversations the turns are in: a loser's own new conversation was removed again.
      const all = await sql<{ n: number }>('SELECT count(*)::int AS n FROM orchestrator.conversations WHERE end_user_id = $1', [endUserId]);
      expect(all[0]!.n).toBe(3);
    });

    it('runs the turn of a message stored by an orchestrator that died before storing its run', async () => {
      const ctx = await deploy(counterApp, 'advanced-chat');
      const endUserId = randomUUID();
      const owner = { appId: ctx.app.id, endUserId, workspaceId };
      const runId = randomUUID();
      const messageId = randomUUID();
      const chat = { autoGenerateName: false, conversationId: null, messageId, mode: 'advanced-chat' as const, query: 'are you there' };
      // What the dead orchestrator got done: the turn's message (and its conversation), no run.
      const opened = await orchestrator
        .get(ConversationService)
        .beginTurn(owner, chat, null, {}, { files: [], runId, taskId: randomUUID() });
      let answer: { conversationId: string | null } | undefined;
      const events = await recordEvents(runId, async () => {
        answer = await second.get(RunService).start(
          startRunRequest({
            appId: ctx.app.id,
            attempt: 2,
            chat,
            creator: { accountId: null, endUserId, role: 'end_user', sessionId: 'grace' },
            runId,
            workspaceId,
          }),
        );
      });
      expect(answer!.conversationId).toBe(opened!.chat.conversationId);
      expect(events.find((e) => e.event === 'message_end')).toBeDefined();
      const messages = await sql<{ answer: string; status: string }>('SELECT answer, status FROM orchestrator.messages WHERE id = $1', [
        messageId,
      ]);
      expect(messages).toEqual([{ answer: 'count=1 topic= q=are you there', status: 'normal' }]);
    });

    describe('the run.started event that travels with the start', () => {
      const received = new Map<string, AuditEvent>();
      // The trail's side, as the compliance service reads it: the AUDIT stream.
      let trail: INestApplication;
      beforeAll(async () => {
        const moduleRef = await Test.createTestingModule({
          imports: [
            MetricsModule,
            MessagingModule.forRoot({
              ...operatorBusOptions(),
              handles: [],
              instanceId: uniqueSuffix(),
              requestTimeoutMs: 2000,
              servers: [settings['NATS_URL']!],
              service: 'compliance',
              subjectPrefix: settings['NATS_SUBJECT_PREFIX']!,
            }),
          ],
        }).compile();
        trail = moduleRef.createNestApplication({ logger: false });
        await trail.init();
        trail.get(MessageBus).consume('audit.event.v1', `start-audit-${uniqueSuffix()}`, async (event) => {
          received.set(event.id, event);
        });
      });
      afterAll(async () => {
        await trail?.close();
      });
      const startAudit = (runId: string, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
        ...gateway.get(AuditService).prepare({
          action: 'run.started',
          actor: { id: randomUUID(), type: 'api_key' },
          details: { run_id: runId },
          resource: { id: randomUUID(), type: 'app' },
          workspaceId,
        }),
        ...overrides,
      });
      const startAuditOf = async (runId: string) =>
        (await sql<{ start_audit: AuditEvent | null }>('SELECT start_audit FROM orchestrator.workflow_runs WHERE id = $1', [runId]))[0]
          ?.start_audit;

      it('is stored with the run, sent to the trail, then cleared from the row', async () => {
        const ctx = await deploy(workflowApp, 'workflow');
        const runId = randomUUID();
        const event = startAudit(runId);
        let answer: { auditStored: boolean } | undefined;
        await recordEvents(runId, async () => {
          answer = await orchestrator.get(RunService).start({ ...workflowStart(ctx.app.id, runId, 1), audit: event });
        });
        expect(answer!.auditStored).toBe(true);
        await expectEventually(() => expect(received.get(event.id)).toEqual(event), { timeoutMs: 20_000 });
        await expectEventually(async () => expect(await startAuditOf(runId)).toBeNull(), { timeoutMs: 20_000 });
      });

      it('takes only the run.started event of that run and workspace', async () => {
        const ctx = await deploy(workflowApp, 'workflow');
        for (const wrong of [{ details: { run_id: randomUUID() } }, { workspaceId: randomUUID() }, { action: 'app.published' }]) {
          const runId = randomUUID();
          let answer: { auditStored: boolean } | undefined;
          await recordEvents(runId, async () => {
            answer = await orchestrator
              .get(RunService)
              .start({ ...workflowStart(ctx.app.id, runId, 1), audit: startAudit(runId, wrong as Partial<AuditEvent>) });
          });
          expect(answer!.auditStored).toBe(false);
          expect(await startAuditOf(runId)).toBeNull();
        }
      });

      it('is sent by any orchestrator sweeping when the one that stored it died before sending it', async () => {
        const ctx = await deploy(workflowApp, 'workflow');
        const runId = randomUUID();
        await recordEvents(runId, () => orchestrator.get(RunService).start(workflowStart(ctx.app.id, runId, 1)));
        // As its orchestrator left it: the event in the row, never sent, the run a while old.
        const event = startAudit(runId);
        await sql(`UPDATE orchestrator.workflow_runs SET start_audit = $2::jsonb, created_at = now() - interval '1 minute' WHERE id = $1`, [
          runId,
          JSON.stringify(event),
        ]);
        await second.get(RunStartAudits).sweep();
        await expectEventually(() => expect(received.get(event.id)).toEqual(event), { timeoutMs: 20_000 });
        // The first orchestrator's own sweep may have taken the row first (then this one skipped it): either clears it.
        await expectEventually(async () => expect(await startAuditOf(runId)).toBeNull(), { timeoutMs: 20_000 });
      });
    });
  });

  describe('WorkflowRunService and ChatMessageService (gateway)', () => {
    it('runs a workflow blocking, then reads it, lists it and stops a task that is not running', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      const runs = gateway.get(WorkflowRunService);
      const listens = jest.spyOn(bus, 'listen');
      const answer = await runs.run(ctx, { inputs: { name: 'Lin' }, response_mode: 'blocking', user: 'lin' }, null, noResponse);
      expect(answer).toMatchObject({ data: { outputs: { greeting: 'Hello Lin!' }, status: 'succeeded' } });
      // Blocking, the gateway heard the run's ending only, not its node events.
      expect(listens.mock.calls.map(([subject, key]) => [subject, key])).toEqual([['wf.run.ended.v1', answer!.workflow_run_id]]);
      listens.mockRestore();
      const detail = await runs.detail(ctx, answer!.workflow_run_id);
      expect(detail).toMatchObject({ id: answer!.workflow_run_id, inputs: JSON.stringify({ name: 'Lin' }), status: 'succeeded' });
      const logs = await runs.logs(ctx, { limit: 20, page: 1 });
      expect(logs.data.map((entry) => entry.id)).toEqual([answer!.workflow_run_id]);
      await expect(runs.stop(ctx, answer!.task_id)).resolves.toBeUndefined();
      await expect(runs.run(ctx, { inputs: {}, response_mode: 'blocking', user: 'lin' }, null, noResponse)).rejects.toMatchObject({
        code: 'invalid_param',
      });
      await expect(runs.detail(ctx, 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('answers chat turns blocking and lists them through the conversation routes', async () => {
      const ctx = await deploy(counterApp, 'advanced-chat');
      const chat = gateway.get(ChatMessageService);
      const request = {
        auto_generate_name: false,
        inputs: { topic: 'jazz' },
        query: 'one',
        response_mode: 'blocking' as const,
        user: 'ella',
      };
      const listens = jest.spyOn(bus, 'listen');
      const first = await chat.chat(ctx, request, noResponse);
      expect(first).toMatchObject({ answer: 'count=1 topic=jazz q=one', event: 'message', mode: 'advanced-chat' });
      // Blocking, the gateway heard the turn's ending only (its whole answer first), not its chunks.
      expect(listens.mock.calls.map(([subject]) => subject)).toEqual(['wf.run.ended.v1']);
      listens.mockRestore();
      const second = await chat.chat(ctx, { ...request, conversation_id: first!.conversation_id, query: 'two' }, noResponse);
      expect(second).toMatchObject({ answer: 'count=2 topic=jazz q=two', conversation_id: first!.conversation_id });
      const listed = await gateway
        .get(GatewayConversations)
        .messages(ctx, { conversation_id: first!.conversation_id!, limit: 20, user: 'ella' });
      expect(listed.data.map((m) => m.query)).toEqual(['one', 'two']);
      await expect(chat.chat(ctx, { ...request, conversation_id: randomUUID() }, noResponse)).rejects.toMatchObject({ code: 'not_found' });
      await expect(
        gateway.get(GatewayConversations).messages(ctx, { conversation_id: first!.conversation_id!, limit: 20, user: 'someone-else' }),
      ).rejects.toMatchObject({
        code: 'not_found',
      });
    });
  });
});
