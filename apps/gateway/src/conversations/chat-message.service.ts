import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type ChatAppMode, DomainError, isUuid, type RunStreamEvent } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { Response } from 'express';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { RunEventFeed } from '../service-api/run-event-feed.util';
import { RunFilesService } from '../service-api/run-files.service';
import { SseWriter } from '../service-api/sse.util';
import { ChatAssistService } from './chat-assist.service';
import { CHAT_MODES, type ChatRequest, type CompletionRequest } from './conversation.dto';
import { ConversationRepository, type ConversationRow, type MessageOutcome } from './conversation.repository';

const START_TIMEOUT_MS = 10_000;
const DEFAULT_NAME = 'New conversation';

/** One turn being answered: what the relay needs to shape, store and end it. */
interface Turn {
  ctx: AppKeyContext;
  conversation: ConversationRow | null;
  createdAt: number;
  generateName: boolean;
  messageId: string;
  mode: ChatAppMode;
  query: string;
  runId: string;
  taskId: string;
}

/** What the relay collected by the time the turn ended. */
interface TurnEnd {
  answer: string;
  error: { code: string; message: string; status: number } | null;
  metadata: Record<string, unknown>;
}

/**
 * Answers chat and completion messages for the Service API. A turn's message is stored (running) before
 * its run starts, so nothing accepted is lost; its run's events are relayed as Dify's stream (or gathered
 * into the blocking answer) and the message is completed from them before the terminal event reaches the
 * client, so the next turn's memory already holds this one.
 */
@Injectable()
export class ChatMessageService {
  private readonly logger = new Logger(ChatMessageService.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly endUsers: EndUserService,
    private readonly runFiles: RunFilesService,
    private readonly conversations: ConversationRepository,
    private readonly assist: ChatAssistService,
  ) {}

  async chat(ctx: AppKeyContext, req: ChatRequest, res: Response): Promise<Record<string, unknown> | undefined> {
    const mode = ctx.app.mode;
    if (!CHAT_MODES.has(mode)) throw new DomainError('not_chat_app', 'Please check if your app mode matches the right API route.');
    if (mode === 'agent-chat' && req.response_mode !== 'streaming') throw new DomainError('invalid_param', 'Agent Chat App does not support blocking mode');
    const workflowId = mode === 'advanced-chat' && req.workflow_id ? req.workflow_id : null;
    if (workflowId !== null && !isUuid(workflowId)) throw new DomainError('bad_request', 'Invalid workflow_id format: must be a UUID.');
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, req.user);

    let conversation: ConversationRow | null = null;
    let created = false;
    let inputs: Record<string, unknown>;
    let files: unknown[];
    if (req.conversation_id) {
      conversation = isUuid(req.conversation_id) ? await this.conversations.findConversation(ctx.app.workspaceId, ctx.app.id, endUserId, req.conversation_id) : null;
      if (!conversation) throw new DomainError('not_found', 'Conversation Not Exists.');
      if (conversation.status !== 'normal') throw new DomainError('conversation_completed', 'The conversation has ended. Please start a new conversation.');
      // A conversation keeps the inputs of its first turn; later turns' inputs are ignored, as in Dify.
      inputs = conversation.inputs;
      files = (await this.runFiles.resolve(ctx, workflowId, {}, (req.files ?? []) as Record<string, unknown>[])).files;
    } else {
      const resolved = await this.runFiles.resolve(ctx, workflowId, req.inputs, (req.files ?? []) as Record<string, unknown>[]);
      inputs = resolved.inputs;
      files = resolved.files;
      conversation = await this.conversations.createConversation({
        appId: ctx.app.id,
        endUserId,
        id: randomUUID(),
        inputs,
        introduction: '',
        mode,
        name: DEFAULT_NAME,
        workspaceId: ctx.app.workspaceId,
      });
      created = true;
    }
    const turn: Turn = {
      conversation,
      createdAt: Math.floor(Date.now() / 1000),
      ctx,
      generateName: created && req.auto_generate_name,
      messageId: randomUUID(),
      mode: mode as ChatAppMode,
      query: req.query,
      runId: randomUUID(),
      taskId: randomUUID(),
    };
    return this.answer(turn, endUserId, inputs, files, workflowId, req.user, req.response_mode === 'streaming', res, created);
  }

  async completion(ctx: AppKeyContext, req: CompletionRequest, res: Response): Promise<Record<string, unknown> | undefined> {
    if (ctx.app.mode !== 'completion') throw new DomainError('not_completion_app', 'Please check if your app mode matches the right API route.');
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, req.user);
    const resolved = await this.runFiles.resolve(ctx, null, req.inputs, (req.files ?? []) as Record<string, unknown>[]);
    const turn: Turn = {
      conversation: null,
      createdAt: Math.floor(Date.now() / 1000),
      ctx,
      generateName: false,
      messageId: randomUUID(),
      mode: 'completion',
      query: req.query ?? '',
      runId: randomUUID(),
      taskId: randomUUID(),
    };
    return this.answer(turn, endUserId, resolved.inputs, resolved.files, null, req.user, req.response_mode === 'streaming', res, false);
  }

  /** Stops the running turn with this task id if it belongs to this user; Dify answers success either way. */
  async stop(ctx: AppKeyContext, taskId: string, user: string, modes: ReadonlySet<string>, wrongMode: 'not_chat_app' | 'not_completion_app'): Promise<void> {
    if (!modes.has(ctx.app.mode)) throw new DomainError(wrongMode, 'Please check if your app mode matches the right API route.');
    if (!isUuid(taskId)) return;
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, user);
    const message = await this.conversations.findByTask(ctx.app.workspaceId, ctx.app.id, endUserId, taskId);
    if (message?.status === 'running') await this.bus.request('wf.run.stop.v1', { appId: ctx.app.id, taskId, workspaceId: ctx.app.workspaceId });
  }

  private async answer(
    turn: Turn,
    endUserId: string,
    inputs: Record<string, unknown>,
    files: unknown[],
    workflowId: string | null,
    user: string,
    streaming: boolean,
    res: Response,
    createdConversation: boolean,
  ): Promise<Record<string, unknown> | undefined> {
    const { ctx } = turn;
    const dialogueCount = await this.conversations.startTurn({
      appId: ctx.app.id,
      conversationId: turn.conversation?.id ?? null,
      endUserId,
      files,
      id: turn.messageId,
      inputs,
      query: turn.query,
      taskId: turn.taskId,
      workflowRunId: turn.runId,
      workspaceId: ctx.app.workspaceId,
    });
    let storedAnswer: string | null = null;
    const feed = new RunEventFeed(this.bus, turn.runId, async () => {
      const ended = await this.endedFromStore(turn);
      if (ended) storedAnswer = ended.answer;
      return ended ? [ended.event] : [];
    });
    try {
      await this.bus.request(
        'wf.run.start.v1',
        {
          appId: ctx.app.id,
          chat: { conversationId: turn.conversation?.id ?? null, dialogueCount, messageId: turn.messageId, mode: turn.mode, query: turn.query },
          createdFrom: 'service-api',
          creator: { accountId: null, endUserId, role: 'end_user', sessionId: user },
          files: files as Record<string, unknown>[],
          inputs,
          runId: turn.runId,
          taskId: turn.taskId,
          workflowId,
          workspaceId: ctx.app.workspaceId,
        },
        { timeoutMs: START_TIMEOUT_MS },
      );
    } catch (error) {
      feed.close();
      // The run was refused (bad inputs, no published workflow): the turn did not happen.
      if (createdConversation && turn.conversation) await this.conversations.deleteConversation(ctx.app.workspaceId, turn.conversation.id).catch(() => undefined);
      else await this.conversations.finishTurn(ctx.app.workspaceId, turn.messageId, failedOutcome((error as Error).message)).catch(() => undefined);
      throw error;
    }

    const collected: TurnEnd = { answer: '', error: null, metadata: {} };
    let stored = false;
    /** Reads one event; true when it ends the turn (after the message is stored). */
    const take = async (event: RunStreamEvent): Promise<boolean> => {
      if (event.event === 'message' || event.event === 'agent_message') collected.answer += String(event['answer'] ?? '');
      if (event.event === 'message_replace') collected.answer = String(event['answer'] ?? '');
      if (event.event === 'message_end') collected.metadata = (event['metadata'] as Record<string, unknown>) ?? {};
      if (event.event === 'error') collected.error = { code: String(event['code']), message: String(event['message'] ?? ''), status: Number(event['status'] ?? 400) };
      // A chatflow ends with workflow_finished, unless it failed: then an error event follows it.
      const finishedWell = event.event === 'workflow_finished' && (event['data'] as Record<string, unknown> | undefined)?.['status'] !== 'failed';
      const ends = event.event === 'error' || (event.event === 'message_end' && turn.mode !== 'advanced-chat') || (finishedWell && turn.mode === 'advanced-chat');
      // Stored at message_end already, so a client that sends the next turn on message_end finds this one in memory.
      if (!stored && (ends || event.event === 'message_end')) {
        stored = true;
        await this.store(turn, collected, storedAnswer);
      }
      if (ends && turn.generateName) this.nameInBackground(turn);
      return ends;
    };

    if (!streaming) {
      try {
        for (;;) {
          const event = await feed.next();
          if (!(await take(event))) continue;
          if (collected.error) throw new DomainError(collected.error.code === 'internal_server_error' ? 'internal_error' : 'completion_request_error', collected.error.message);
          return {
            answer: storedAnswer ?? collected.answer,
            ...(turn.conversation ? { conversation_id: turn.conversation.id } : {}),
            created_at: turn.createdAt,
            event: 'message',
            id: turn.messageId,
            message_id: turn.messageId,
            metadata: { retriever_resources: [], usage: {}, ...collected.metadata },
            mode: turn.mode === 'advanced-chat' ? 'advanced-chat' : turn.mode === 'completion' ? 'completion' : 'chat',
            task_id: turn.taskId,
          };
        }
      } finally {
        feed.close();
      }
    }

    const sse = new SseWriter(res);
    sse.onClose(() => feed.close());
    void (async () => {
      try {
        for (;;) {
          const event = await feed.next();
          const ends = await take(event);
          sse.send(event);
          if (ends || !sse.open) break;
        }
      } catch (error) {
        sse.send({ code: 'internal_server_error', conversation_id: turn.conversation?.id, event: 'error', message: (error as Error).message, message_id: turn.messageId, status: 500 });
      } finally {
        feed.close();
        sse.end();
      }
    })();
    return undefined;
  }

  private async store(turn: Turn, collected: TurnEnd, storedAnswer: string | null): Promise<void> {
    const usage = (collected.metadata['usage'] as Record<string, unknown> | undefined) ?? {};
    const outcome: MessageOutcome = collected.error
      ? { ...failedOutcome(collected.error.message), answer: storedAnswer ?? collected.answer }
      : {
          answer: storedAnswer ?? collected.answer,
          answerTokens: Number(usage['completion_tokens'] ?? 0) || 0,
          currency: typeof usage['currency'] === 'string' ? usage['currency'] : 'USD',
          error: null,
          latency: Number(usage['latency'] ?? 0) || 0,
          messageTokens: Number(usage['prompt_tokens'] ?? 0) || 0,
          retrieverResources: (collected.metadata['retriever_resources'] as unknown[] | undefined) ?? [],
          status: 'normal',
          totalPrice: String(usage['total_price'] ?? '0'),
        };
    try {
      await this.conversations.finishTurn(turn.ctx.app.workspaceId, turn.messageId, outcome);
    } catch (error) {
      this.logger.error({ err: error }, `Message "${turn.messageId}" could not be completed`);
    }
  }

  private nameInBackground(turn: Turn): void {
    const conversation = turn.conversation!;
    void this.assist
      .conversationName(turn.ctx, turn.query)
      .then((name) => this.conversations.renameConversation(turn.ctx.app.workspaceId, conversation.id, name, false))
      .catch((error: unknown) => this.logger.warn(`Conversation "${conversation.id}" was not named: ${(error as Error).message}`));
  }

  /** The turn's terminal event rebuilt from its stored run, when the run ended and its events were missed. */
  private async endedFromStore(turn: Turn): Promise<{ answer: string; event: RunStreamEvent } | null> {
    try {
      const run = await this.bus.request('wf.run.get.v1', { appId: turn.ctx.app.id, runId: turn.runId, workspaceId: turn.ctx.app.workspaceId });
      if (run.status === 'running') return null;
      const answer = typeof run.outputs?.['answer'] === 'string' ? run.outputs['answer'] : '';
      const envelope = { ...(turn.conversation ? { conversation_id: turn.conversation.id } : {}), created_at: turn.createdAt, message_id: turn.messageId, task_id: turn.taskId };
      if (run.status === 'failed') return { answer, event: { ...envelope, code: 'completion_request_error', event: 'error', message: run.error ?? 'The workflow failed.', status: 400 } };
      return { answer, event: { ...envelope, event: turn.mode === 'advanced-chat' ? 'workflow_finished' : 'message_end', id: turn.messageId, metadata: { retriever_resources: [], usage: {} }, workflow_run_id: run.id, data: { id: run.id, status: run.status } } };
    } catch (error) {
      this.logger.warn(`Could not read run "${turn.runId}" while waiting for it: ${(error as Error).message}`);
      return null;
    }
  }
}

function failedOutcome(message: string): MessageOutcome {
  return { answer: '', answerTokens: 0, currency: 'USD', error: message, latency: 0, messageTokens: 0, retrieverResources: [], status: 'error', totalPrice: '0' };
}
