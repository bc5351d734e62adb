import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { DomainError, isUuid, parseBody, type RunStreamEvent } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { Response } from 'express';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { AccountRepository } from '../accounts/account.repository';
import { ActiveRequestSlot } from '../protection/rate-limit.interceptor';
import { NoRequestTimeout } from '../protection/request-timeout.interceptor';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from './app-key.guard';
import { SseWriter } from './sse.util';
import { LogsQuerySchema, StopRequestSchema, WorkflowRunRequestSchema, toLogEntry, toRunDetail } from './workflow-run.dto';
import { WorkflowRunService } from './workflow-run.service';


/** Dify's workflow Service API: run, read, stop, list and resume. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class WorkflowRunController {
  constructor(
    private readonly runs: WorkflowRunService,
    private readonly bus: MessageBus,
    private readonly accounts: AccountRepository,
  ) {}

  // The response is written by hand: a streaming run keeps it open after the handler returns.
  @Post('workflows/run')
  @Audited(AUDITED_ROUTES.workflowRunStarted)
  @ActiveRequestSlot()
  async run(@CurrentApp() ctx: AppKeyContext, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const blocking = await this.runs.run(ctx, parseBody(WorkflowRunRequestSchema, body), null, res);
    if (blocking) res.status(200).json(blocking);
  }

  @Post('workflows/:workflowId/run')
  @Audited(AUDITED_ROUTES.workflowRunStarted)
  @ActiveRequestSlot()
  async runVersion(@CurrentApp() ctx: AppKeyContext, @Param('workflowId') workflowId: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const blocking = await this.runs.run(ctx, parseBody(WorkflowRunRequestSchema, body), workflowId, res);
    if (blocking) res.status(200).json(blocking);
  }

  @Get('workflows/run/:runId')
  async detail(@CurrentApp() ctx: AppKeyContext, @Param('runId') runId: string): Promise<unknown> {
    if (!isUuid(runId)) throw new DomainError('not_found', 'Workflow run not found.');
    return toRunDetail(await this.bus.request('wf.run.get.v1', { appId: ctx.app.id, runId, workspaceId: ctx.app.workspaceId }));
  }

  /** Always `{result: "success"}`, as Dify answers, whether or not a run was still going. */
  @Post('workflows/tasks/:taskId/stop')
  @HttpCode(200)
  async stop(@CurrentApp() ctx: AppKeyContext, @Param('taskId') taskId: string, @Body() body: unknown): Promise<{ result: 'success' }> {
    parseBody(StopRequestSchema, body);
    if (ctx.app.mode !== 'workflow') throw new DomainError('not_workflow_app', 'Please check if your app mode matches the right API route.');
    if (isUuid(taskId)) await this.bus.request('wf.run.stop.v1', { appId: ctx.app.id, endUserId: null, taskId, workspaceId: ctx.app.workspaceId });
    return { result: 'success' };
  }

  @Get('workflows/logs')
  async logs(@CurrentApp() ctx: AppKeyContext, @Query() query: unknown): Promise<unknown> {
    const q = parseBody(LogsQuerySchema, query);
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
    const members = await this.accounts.membersByIds(ctx.app.workspaceId, [...new Set(runs.map((r) => r.created_by_account_id).filter((id): id is string => id !== null))]);
    return { data: runs.map((r) => toLogEntry(r, members)), has_more: q.page * q.limit < total, limit: q.limit, page: q.page, total };
  }

  /**
   * Resumes a run's stream: replays what is stored (start, each node, and the end if there is one),
   * then follows the run live until it finishes. Live events are buffered from before the replay, so
   * none falls between the two.
   */
  @Get('workflow/:runId/events')
  @NoRequestTimeout()
  async events(@CurrentApp() ctx: AppKeyContext, @Param('runId') runId: string, @Query('user') user: string | undefined, @Res() res: Response): Promise<void> {
    if (!user) throw new DomainError('invalid_param', 'Arg user must be provided.');
    if (!isUuid(runId)) throw new DomainError('not_found', 'Workflow run not found.');
    const live: RunStreamEvent[] = [];
    let push: ((e: RunStreamEvent) => void) | null = (e) => live.push(e);
    const unsubscribe = this.bus.listen('wf.run.event.v1', runId, (e) => push?.(e));
    let history;
    try {
      history = await this.bus.request('wf.run.history.v1', { appId: ctx.app.id, runId, workspaceId: ctx.app.workspaceId });
      if (history.run.created_by_end_user_session_id !== user) throw new DomainError('not_found', 'Workflow run not found.');
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
    const envelope = { task_id: run.task_id, workflow_run_id: run.id };
    send({ ...envelope, data: { created_at: run.created_at, id: run.id, inputs: run.inputs, reason: 'resumption', workflow_id: run.workflow_id }, event: 'workflow_started' });
    for (const node of history.nodes) {
      const data = node['data'] as Record<string, unknown>;
      send({ ...envelope, data: { ...data, inputs: null, outputs: undefined, status: undefined }, event: 'node_started' });
      if (data['status'] !== 'running') send(node as RunStreamEvent);
    }
    const finish = () => {
      unsubscribe();
      sse.end();
    };
    if (run.status !== 'running') {
      send({
        ...envelope,
        data: {
          created_at: run.created_at,
          elapsed_time: run.elapsed_time,
          error: run.error,
          exceptions_count: run.exceptions_count,
          files: [],
          finished_at: run.finished_at,
          id: run.id,
          outputs: run.outputs ?? {},
          status: run.status,
          total_steps: run.total_steps,
          total_tokens: run.total_tokens,
          workflow_id: run.workflow_id,
        },
        event: 'workflow_finished',
      });
      finish();
      return;
    }
    sse.onClose(unsubscribe);
    const relay = (e: RunStreamEvent) => {
      if (e.event === 'workflow_started') return;
      send(e);
      if (e.event === 'workflow_finished') finish();
    };
    for (const e of live.splice(0)) relay(e);
    push = relay;
  }
}
