import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { gatewayConfigSpec, loadConfig, orchestratorConfigSpec } from '@weft/config';
import { DomainError, type RunStreamEvent } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { createServiceIdentity } from '@weft/platform';
import { createTestDatabase, DslBuilder, infraUrls, pollUntil, textInput, uniqueSuffix, type TestDatabase } from '@weft/testing';
import type { Response } from 'express';
import { ChatMessageService } from '../../apps/gateway/src/conversations/chat-message.service';
import { ConversationService as GatewayConversations } from '../../apps/gateway/src/conversations/conversation.service';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import type { AppKeyContext } from '../../apps/gateway/src/service-api/app-key.guard';
import { WorkflowRunService } from '../../apps/gateway/src/service-api/workflow-run.service';
import { ConversationService } from '../../apps/orchestrator/src/conversations/conversation.service';
import { OrchestratorModule } from '../../apps/orchestrator/src/orchestrator.module';
import { RunService } from '../../apps/orchestrator/src/runs/run.service';

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
    const env = {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      NATS_SUBJECT_PREFIX: `t${suffix}`,
      NATS_URL: urls.natsUrl,
      ...(urls.natsCredentialsDir ? { NATS_CREDENTIALS_DIR: urls.natsCredentialsDir } : {}),
      REDIS_KEY_PREFIX: `weft-test:${suffix}:`,
      REDIS_URL: urls.redisUrl,
    };
    orchestrator = await NestFactory.createApplicationContext(
      OrchestratorModule.forRoot(loadConfig('orchestrator', orchestratorConfigSpec, env), createServiceIdentity('orchestrator')),
      {
        logger: false,
      },
    );
    gateway = await NestFactory.createApplicationContext(
      GatewayModule.forRoot(loadConfig('gateway', gatewayConfigSpec, env), createServiceIdentity('gateway')),
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
      const started = await runs.start({
        appId: ctx.app.id,
        chat: null,
        createdFrom: 'service-api',
        creator: { accountId: null, endUserId: randomUUID(), role: 'end_user', sessionId: 'ada' },
        files: [],
        inputs: { name: 'Ada' },
        runId,
        taskId: randomUUID(),
        workflowId: null,
        workspaceId,
      });
      expect(started).toMatchObject({ conversationId: null, runId });
      const events = await live.done;
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

    it('refuses bad inputs before storing anything', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      const runs = orchestrator.get(RunService);
      const runId = randomUUID();
      const start = runs.start({
        appId: ctx.app.id,
        chat: null,
        createdFrom: 'service-api',
        creator: { accountId: null, endUserId: randomUUID(), role: 'end_user', sessionId: 'ada' },
        files: [],
        inputs: {},
        runId,
        taskId: randomUUID(),
        workflowId: null,
        workspaceId,
      });
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
        const started = await runs.start({
          appId: ctx.app.id,
          chat: { autoGenerateName: false, conversationId, messageId, mode: 'advanced-chat', query },
          createdFrom: 'service-api',
          creator: { accountId: null, endUserId, role: 'end_user', sessionId: 'grace' },
          files: [],
          inputs,
          runId,
          taskId: randomUUID(),
          workflowId: null,
          workspaceId,
        });
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
      const anonymous = runs.start({
        appId: ctx.app.id,
        chat: { autoGenerateName: false, conversationId: null, messageId: randomUUID(), mode: 'advanced-chat', query: 'who am I' },
        createdFrom: 'service-api',
        creator: { accountId: randomUUID(), endUserId: null, role: 'account', sessionId: null },
        files: [],
        inputs: {},
        runId: randomUUID(),
        taskId: randomUUID(),
        workflowId: null,
        workspaceId,
      });
      await expect(anonymous).rejects.toMatchObject({ code: 'invalid_param' });
      expect(
        (await conversations.messages({ ...owner, conversationId: first.started.conversationId!, firstId: null, limit: 20 })).data,
      ).toHaveLength(2);
    });
  });

  describe('WorkflowRunService and ChatMessageService (gateway)', () => {
    it('runs a workflow blocking, then reads it, lists it and stops a task that is not running', async () => {
      const ctx = await deploy(workflowApp, 'workflow');
      const runs = gateway.get(WorkflowRunService);
      const answer = await runs.run(ctx, { inputs: { name: 'Lin' }, response_mode: 'blocking', user: 'lin' }, null, noResponse);
      expect(answer).toMatchObject({ data: { outputs: { greeting: 'Hello Lin!' }, status: 'succeeded' } });
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
      const first = await chat.chat(ctx, request, noResponse);
      expect(first).toMatchObject({ answer: 'count=1 topic=jazz q=one', event: 'message', mode: 'advanced-chat' });
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
