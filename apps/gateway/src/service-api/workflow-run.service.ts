import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { noteStartedRun } from '../audit/started-run.util';
import { AppErrors, isUuid, RunErrors, type ResponseOf, type RunStreamEvent } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { Response } from 'express';
import type { z } from 'zod';
import type { AppKeyContext } from './app-key.guard';
import { EndUserService } from './end-user.service';
import { RunDispatchService } from './run-dispatch.service';
import { RunEventFeed } from './run-event-feed.util';
import { RunFilesService } from './run-files.service';
import { SseWriter } from './sse.util';
import { AccountRepository } from '../accounts/account.repository';
import type { AppRow } from '../apps/app.repository';
import {
  toBlockingResponse,
  toLogEntry,
  toRunDetail,
  type BlockingRunResponse,
  type LogPage,
  type LogsQuerySchema,
  type RunDetail,
  type WorkflowRunRequestSchema,
} from './workflow-run.dto';

/**
 * Dify's workflow Service API: run, read, stop, list and follow the runs of a workflow app. The run's live
 * events are subscribed to before the start command is sent, so none is missed; a blocking call answers from
 * the terminal event, a streaming call relays every event as Dify's SSE. The run belongs to the orchestrator: a client that goes away
 * neither stops nor orphans it.
 */
@Injectable()
export class WorkflowRunService {
  constructor(
    private readonly bus: MessageBus,
    private readonly dispatch: RunDispatchService,
    private readonly endUsers: EndUserService,
    private readonly runFiles: RunFilesService,
    private readonly accounts: AccountRepository,
  ) {}

  async run(
    ctx: AppKeyContext,
    req: z.infer<typeof WorkflowRunRequestSchema>,
    workflowId: string | null,
    res: Response,
  ): Promise<BlockingRunResponse | undefined> {
    if (ctx.app.mode !== 'workflow') throw AppErrors.modeMismatch('not_workflow_app');
    if (workflowId !== null && !isUuid(workflowId)) {
      throw RunErrors.workflowIdNotUuid();
    }
    const { files, inputs } = await this.runFiles.resolve(ctx, workflowId, req.inputs, (req.files ?? []) as Record<string, unknown>[]);
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, req.user);
    const runId = randomUUID();
    noteStartedRun(runId);
    const taskId = randomUUID();
    // A blocking caller gets only the run's ending: it is spared decoding two events per node.
    const feed = new RunEventFeed(
      this.bus,
      { appId: ctx.app.id, runId, workspaceId: ctx.app.workspaceId },
      { endOnly: req.response_mode !== 'streaming' },
    );
    try {
      await this.dispatch.start({
        appId: ctx.app.id,
        chat: null,
        createdFrom: 'service-api',
        creator: { accountId: null, endUserId, role: 'end_user', sessionId: req.user },
        files: files as Record<string, unknown>[],
        inputs,
        runId,
        taskId,
        workflowId,
        workspaceId: ctx.app.workspaceId,
      });
    } catch (error) {
      feed.close();
      throw error;
    }

    if (req.response_mode !== 'streaming') {
      try {
        for (;;) {
          const event = await feed.next();
          if (event.event === 'workflow_finished') return toBlockingResponse(event);
        }
      } finally {
        feed.close();
      }
    }

    const sse = new SseWriter(res);
    sse.onClose(() => feed.close());
    void (async () => {
      try {
        while (sse.open) {
          const event = await feed.next();
          sse.send(event);
          if (event.event === 'workflow_finished') break;
        }
      } catch (error) {
        sse.send({ code: 'internal_server_error', event: 'error', message: (error as Error).message, status: 500, workflow_run_id: runId });
      } finally {
        feed.close();
        sse.end();
      }
    })();
    return undefined;
  }

  /** `GET /v1/workflows/run/{id}`: a run of the app behind the key. */
  async detail(ctx: AppKeyContext, runId: string): Promise<RunDetail> {
    if (!isUuid(runId)) throw RunErrors.notFound();
    return toRunDetail(await this.bus.request('wf.run.get.v1', { appId: ctx.app.id, runId, workspaceId: ctx.app.workspaceId }));
  }

  /** Stops the app's running run of a task; Dify answers success whether or not a run was still going. */
  async stop(ctx: AppKeyContext, taskId: string): Promise<void> {
    if (ctx.app.mode !== 'workflow') throw AppErrors.modeMismatch('not_workflow_app');
    await this.stopTask(ctx.app, taskId);
  }

  /** Stops the app's running run of a task, whoever started it (a task id that is no uuid names no run). */
  async stopTask(app: AppRow, taskId: string): Promise<void> {
    if (isUuid(taskId)) await this.bus.request('wf.run.stop.v1', { appId: app.id, endUserId: null, taskId, workspaceId: app.workspaceId });
  }

  /** `GET /v1/workflows/logs`: a page of the app's runs, filtered as Dify filters them. */
  async logs(ctx: AppKeyContext, q: z.infer<typeof LogsQuerySchema>): Promise<LogPage> {
    let createdByAccountId: string | null = null;
    if (q.created_by_account) {
      createdByAccountId = await this.accounts.memberIdByEmail(ctx.app.workspaceId, q.created_by_account);
      if (!createdByAccountId) return { data: [], has_more: false, limit: q.limit, page: q.page, total: 0 };
    }
    const { runs, total } = await this.bus.request('wf.run.list.v1', {
      appId: ctx.app.id,
      createdByAccountId,
      createdAfter: q.created_at__after ?? null,
      createdBefore: q.created_at__before ?? null,
      endUserSessionId: q.created_by_end_user_session_id ?? null,
      keyword: q.keyword ?? null,
      limit: q.limit,
      page: q.page,
      status: q.status ?? null,
      workspaceId: ctx.app.workspaceId,
    });
    const accountIds = [...new Set(runs.map((r) => r.created_by_account_id).filter((id): id is string => id !== null))];
    const members = await this.accounts.membersByIds(ctx.app.workspaceId, accountIds);
    return { data: runs.map((r) => toLogEntry(r, members)), has_more: q.page * q.limit < total, limit: q.limit, page: q.page, total };
  }

  /**
   * Resumes a run's stream: replays what is stored (start, each node, and the events that ended it if it
   * ended), then follows the run live until it finishes. Live events are buffered from before the
   * replay, so none falls between the two.
   */
  async events(ctx: AppKeyContext, runId: string, query: { user: string; include_state_snapshot: boolean }, res: Response): Promise<void> {
    if (ctx.app.mode !== 'workflow' && ctx.app.mode !== 'advanced-chat') throw AppErrors.modeMismatch('not_workflow_app');
    return this.follow(ctx.app, runId, { snapshot: query.include_state_snapshot, user: query.user, wholeEnding: false }, res);
  }

  /**
   * Streams a run's events as `events` describes. `user` null: any end user's run (the console). `wholeEnding`: a
   * finished run answers every event that ended its stream, not only `workflow_finished`.
   */
  async follow(
    app: AppRow,
    runId: string,
    opts: { snapshot: boolean; user: string | null; wholeEnding: boolean },
    res: Response,
  ): Promise<void> {
    if (!isUuid(runId)) throw RunErrors.notFound();
    const { user } = opts;
    const live: RunStreamEvent[] = [];
    let push: ((e: RunStreamEvent) => void) | null = (e) => live.push(e);
    const unsubscribe = this.bus.listen('wf.run.event.v1', runId, (e) => push?.(e));
    let history;
    try {
      history = await this.bus.request('wf.run.history.v1', { appId: app.id, runId, workspaceId: app.workspaceId });
      if (user !== null && history.run.created_by_end_user_session_id !== user) throw RunErrors.notFound();
    } catch (error) {
      unsubscribe();
      throw error;
    }
    const run = history.run;
    const sse = new SseWriter(res);
    const sent = new Set<string>();
    const key = (e: RunStreamEvent) => `${e.event}:${String((e['data'] as Record<string, unknown> | undefined)?.['id'] ?? '')}`;
    const send = (e: RunStreamEvent) => {
      const k = key(e);
      if (sent.has(k)) return;
      sent.add(k);
      sse.send(e);
    };
    const finish = () => {
      unsubscribe();
      sse.end();
    };
    // A finished run answers only how it ended, as Dify does.
    if (run.status !== 'running') {
      for (const e of history.ending) if (opts.wholeEnding || e.event === 'workflow_finished') send(e);
      finish();
      return;
    }
    const envelope = { task_id: run.task_id, workflow_run_id: run.id };
    if (opts.snapshot) this.replay(history, envelope, send);
    sse.onClose(unsubscribe);
    const relay = (e: RunStreamEvent) => {
      if (e.event === 'workflow_started') return;
      send(e);
      if (e.event === 'workflow_finished') finish();
    };
    for (const e of live.splice(0)) relay(e);
    push = relay;
  }

  /** What a running run has done so far: its start, then each stored node's start and (when done) finish. */
  private replay(
    history: ResponseOf<'wf.run.history.v1'>,
    envelope: { task_id: string; workflow_run_id: string },
    send: (e: RunStreamEvent) => void,
  ): void {
    const run = history.run;
    send({
      ...envelope,
      data: { created_at: run.created_at, id: run.id, inputs: run.inputs, reason: 'resumption', workflow_id: run.workflow_id },
      event: 'workflow_started',
    });
    for (const node of history.nodes) {
      const data = node['data'] as Record<string, unknown>;
      send({ ...envelope, data: { ...data, inputs: null, outputs: undefined, status: undefined }, event: 'node_started' });
      if (data['status'] !== 'running') send(node as RunStreamEvent);
    }
  }
}
