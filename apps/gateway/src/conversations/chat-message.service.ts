import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { noteStartedRun } from '../audit/started-run.util';
import {
  type AnnotationReply,
  AppErrors,
  type ChatAppMode,
  ConversationErrors,
  DomainError,
  isUuid,
  RunErrors,
  type RunStreamEvent,
} from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { Response } from 'express';
import { AnnotationAuthorRepository } from '../annotations/annotation-author.repository';
import { annotationReplyEvents, annotationReplyMetadata } from '../annotations/annotation-reply.util';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { RunDispatchService } from '../service-api/run-dispatch.service';
import { RunEventFeed } from '../service-api/run-event-feed.util';
import { RunFilesService } from '../service-api/run-files.service';
import { SseWriter } from '../service-api/sse.util';
import { CHAT_MODES, type BlockingMessageResponse, type ChatRequest, type CompletionRequest } from './conversation.dto';

/** One turn being answered: what the relay needs to shape and end it. */
interface Turn {
  autoGenerateName: boolean;
  ctx: AppKeyContext;
  /** The conversation the turn continues; after the start, the one it is in (null for completion apps). */
  conversationId: string | null;
  createdAt: number;
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
 * Answers chat and completion messages for the Service API. The orchestrator stores the turn's message
 * (and a new conversation) with its run, and completes it before the run's terminal event is published, so
 * the next turn's memory already holds this one; this service relays the run's events as Dify's stream (or
 * gathers them into the blocking answer).
 */
@Injectable()
export class ChatMessageService {
  constructor(
    private readonly bus: MessageBus,
    private readonly dispatch: RunDispatchService,
    private readonly endUsers: EndUserService,
    private readonly runFiles: RunFilesService,
    private readonly annotationAuthors: AnnotationAuthorRepository,
  ) {}

  async chat(ctx: AppKeyContext, req: ChatRequest, res: Response): Promise<BlockingMessageResponse | undefined> {
    const mode = ctx.app.mode;
    if (!CHAT_MODES.has(mode)) throw AppErrors.modeMismatch('not_chat_app');
    if (mode === 'agent-chat' && req.response_mode !== 'streaming') throw AppErrors.agentChatBlockingUnsupported();
    const workflowId = mode === 'advanced-chat' && req.workflow_id ? req.workflow_id : null;
    if (workflowId !== null && !isUuid(workflowId)) throw RunErrors.workflowIdNotUuid();
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, req.user);

    // A conversation keeps the inputs of its first turn; the orchestrator ignores later turns' inputs, as Dify does.
    let conversationId: string | null = null;
    if (req.conversation_id) {
      if (!isUuid(req.conversation_id)) throw ConversationErrors.notFound();
      conversationId = req.conversation_id;
    }
    const resolved = await this.runFiles.resolve(
      ctx,
      workflowId,
      conversationId ? {} : req.inputs,
      (req.files ?? []) as Record<string, unknown>[],
    );
    const turn: Turn = {
      autoGenerateName: conversationId === null && req.auto_generate_name,
      conversationId,
      createdAt: Math.floor(Date.now() / 1000),
      ctx,
      messageId: randomUUID(),
      mode: mode as ChatAppMode,
      query: req.query,
      runId: randomUUID(),
      taskId: randomUUID(),
    };
    return this.answer(turn, endUserId, resolved.inputs, resolved.files, workflowId, req.user, req.response_mode === 'streaming', res);
  }

  async completion(ctx: AppKeyContext, req: CompletionRequest, res: Response): Promise<BlockingMessageResponse | undefined> {
    if (ctx.app.mode !== 'completion') throw AppErrors.modeMismatch('not_completion_app');
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, req.user);
    const resolved = await this.runFiles.resolve(ctx, null, req.inputs, (req.files ?? []) as Record<string, unknown>[]);
    const turn: Turn = {
      autoGenerateName: false,
      conversationId: null,
      createdAt: Math.floor(Date.now() / 1000),
      ctx,
      messageId: randomUUID(),
      mode: 'completion',
      query: req.query ?? '',
      runId: randomUUID(),
      taskId: randomUUID(),
    };
    return this.answer(turn, endUserId, resolved.inputs, resolved.files, null, req.user, req.response_mode === 'streaming', res);
  }

  /** Stops the running turn with this task id if this user started it; Dify answers success either way. */
  async stop(
    ctx: AppKeyContext,
    taskId: string,
    user: string,
    modes: ReadonlySet<string>,
    wrongMode: 'not_chat_app' | 'not_completion_app',
  ): Promise<void> {
    if (!modes.has(ctx.app.mode)) throw AppErrors.modeMismatch(wrongMode);
    if (!isUuid(taskId)) return;
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, user);
    await this.bus.request('wf.run.stop.v1', { appId: ctx.app.id, endUserId, taskId, workspaceId: ctx.app.workspaceId });
  }

  /** Starts the turn's run and answers it: gathered into one blocking answer, or relayed as Dify's stream. */
  private async answer(
    turn: Turn,
    endUserId: string,
    inputs: Record<string, unknown>,
    files: unknown[],
    workflowId: string | null,
    user: string,
    streaming: boolean,
    res: Response,
  ): Promise<BlockingMessageResponse | undefined> {
    const { ctx } = turn;
    noteStartedRun(turn.runId);
    // A blocking turn gets only its ending (its whole answer first): it is spared decoding every streamed chunk.
    const feed = new RunEventFeed(
      this.bus,
      { appId: ctx.app.id, runId: turn.runId, workspaceId: ctx.app.workspaceId },
      { endOnly: !streaming },
    );
    let reply: AnnotationReply | null = null;
    try {
      const started = await this.dispatch.start({
        appId: ctx.app.id,
        chat: {
          autoGenerateName: turn.autoGenerateName,
          conversationId: turn.conversationId,
          messageId: turn.messageId,
          mode: turn.mode,
          query: turn.query,
        },
        createdFrom: 'service-api',
        creator: { accountId: null, endUserId, role: 'end_user', sessionId: user },
        files: files as Record<string, unknown>[],
        inputs,
        runId: turn.runId,
        taskId: turn.taskId,
        workflowId,
        workspaceId: ctx.app.workspaceId,
      });
      turn.conversationId = started.conversationId;
      reply = started.annotationReply;
    } catch (error) {
      // The run was refused (bad inputs, no published workflow, an unknown conversation): the turn did not happen.
      feed.close();
      throw error;
    }
    if (reply) {
      // An annotation answered (the message is stored answered): no run was started, so no run event will come.
      feed.close();
      return this.answerWithAnnotation(turn, reply, streaming, res);
    }
    if (streaming) {
      this.relay(turn, feed, new SseWriter(res));
      return undefined;
    }
    return this.gather(turn, feed);
  }

  /** Answers a turn an annotation answered, as Dify does: its answer, and `annotation_reply` naming the annotation and its author. */
  private async answerWithAnnotation(
    turn: Turn,
    reply: AnnotationReply,
    streaming: boolean,
    res: Response,
  ): Promise<BlockingMessageResponse | undefined> {
    const workspaceId = turn.ctx.app.workspaceId;
    const author = reply.accountId ? await this.annotationAuthors.name(workspaceId, reply.accountId).catch(() => null) : null;
    if (streaming) {
      const sse = new SseWriter(res);
      for (const event of annotationReplyEvents(turn, reply, author)) sse.send(event);
      sse.end();
      return undefined;
    }
    return {
      answer: reply.answer,
      ...(turn.conversationId ? { conversation_id: turn.conversationId } : {}),
      created_at: turn.createdAt,
      event: 'message',
      id: turn.messageId,
      message_id: turn.messageId,
      metadata: annotationReplyMetadata(reply, author) as BlockingMessageResponse['metadata'],
      mode: turn.mode === 'advanced-chat' ? 'advanced-chat' : 'chat',
      task_id: turn.taskId,
    };
  }

  /** Reads the turn's events to its end and answers them as Dify's blocking message. */
  private async gather(turn: Turn, feed: RunEventFeed): Promise<BlockingMessageResponse> {
    const collected = new TurnCollector(turn.mode);
    try {
      while (!collected.take(await feed.next()));
    } finally {
      feed.close();
    }
    if (collected.error)
      throw new DomainError(
        collected.error.code === 'internal_server_error' ? 'internal_error' : 'completion_request_error',
        collected.error.message,
      );
    return {
      answer: feed.storedAnswer ?? collected.answer,
      ...(turn.conversationId ? { conversation_id: turn.conversationId } : {}),
      created_at: turn.createdAt,
      event: 'message',
      id: turn.messageId,
      message_id: turn.messageId,
      metadata: { retriever_resources: [], usage: {}, ...collected.metadata },
      mode: turn.mode === 'advanced-chat' ? 'advanced-chat' : turn.mode === 'completion' ? 'completion' : 'chat',
      task_id: turn.taskId,
    };
  }

  /** Relays the turn's events as server-sent events until the turn ends or the client goes away. */
  private relay(turn: Turn, feed: RunEventFeed, sse: SseWriter): void {
    const collected = new TurnCollector(turn.mode);
    sse.onClose(() => feed.close());
    void (async () => {
      try {
        for (;;) {
          const event = await feed.next();
          const ends = collected.take(event);
          sse.send(event);
          if (ends || !sse.open) break;
        }
      } catch (error) {
        sse.send({
          code: 'internal_server_error',
          conversation_id: turn.conversationId ?? undefined,
          event: 'error',
          message: (error as Error).message,
          message_id: turn.messageId,
          status: 500,
        });
      } finally {
        feed.close();
        sse.end();
      }
    })();
  }
}

/** What a turn's events said by the time it ended: the answer, `message_end`'s metadata, an error. */
class TurnCollector implements TurnEnd {
  answer = '';
  error: TurnEnd['error'] = null;
  metadata: Record<string, unknown> = {};

  constructor(private readonly mode: ChatAppMode) {}

  /** Reads one event; true when it ends the turn. */
  take(event: RunStreamEvent): boolean {
    if (event.event === 'message' || event.event === 'agent_message') this.answer += String(event['answer'] ?? '');
    if (event.event === 'message_replace') this.answer = String(event['answer'] ?? '');
    if (event.event === 'message_end') this.metadata = (event['metadata'] as Record<string, unknown>) ?? {};
    if (event.event === 'error')
      this.error = { code: String(event['code']), message: String(event['message'] ?? ''), status: Number(event['status'] ?? 400) };
    // A chatflow ends with workflow_finished, unless it failed: then an error event follows it.
    const finishedWell =
      event.event === 'workflow_finished' && (event['data'] as Record<string, unknown> | undefined)?.['status'] !== 'failed';
    return (
      event.event === 'error' ||
      (event.event === 'message_end' && this.mode !== 'advanced-chat') ||
      (finishedWell && this.mode === 'advanced-chat')
    );
  }
}
