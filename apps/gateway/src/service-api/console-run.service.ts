import { Injectable } from '@nestjs/common';
import { DomainError, isUuid, RunErrors } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { Response } from 'express';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { AppService } from '../apps/app.service';
import {
  graphOf,
  priceOf,
  toConsoleNodeExecution,
  toConsoleRunItem,
  traceIdOf,
  type ConsoleGraph,
  type ConsoleNodeExecutionList,
  type ConsoleRunDetail,
  type ConsoleRunPage,
  type ConsoleRunsQuery,
} from './console-run.dto';
import { WorkflowRunService } from './workflow-run.service';

/**
 * The console's view of an app's runs: list, detail with the graph it ran, node executions, stop and the event
 * stream. Every call names the caller's workspace: another workspace's app answers `app_not_found`, another app's run
 * `workflow_run_not_found`. Stopping and following reuse the Service API's run service, without its end-user checks.
 */
@Injectable()
export class ConsoleRunService {
  constructor(
    private readonly apps: AppService,
    private readonly bus: MessageBus,
    private readonly runs: WorkflowRunService,
  ) {}

  async list(user: ConsoleUser, appId: string, q: ConsoleRunsQuery): Promise<ConsoleRunPage> {
    const app = await this.apps.requireApp(user, appId);
    const page = await this.bus.request('wf.run.page.v1', {
      appId: app.id,
      createdAfter: q.created_at__after ?? null,
      createdBefore: q.created_at__before ?? null,
      endUser: q.end_user ?? null,
      keyword: q.keyword ?? null,
      lastId: q.last_id ?? null,
      limit: q.limit,
      status: q.status ?? null,
      workspaceId: app.workspaceId,
    });
    return { data: page.runs.map(toConsoleRunItem), has_more: page.hasMore, limit: q.limit };
  }

  async detail(user: ConsoleUser, appId: string, runId: string): Promise<ConsoleRunDetail> {
    const { app, history } = await this.history(user, appId, runId);
    const run = history.run;
    const graph = await this.graph(app.workspaceId, app.id, run.workflow_id);
    return {
      created_at: run.created_at,
      created_by_end_user: run.created_by_end_user_id
        ? { id: run.created_by_end_user_id, session_id: run.created_by_end_user_session_id }
        : null,
      ...priceOf(history.nodes.map(toConsoleNodeExecution)),
      elapsed_time: run.elapsed_time,
      error: run.error,
      exceptions_count: run.exceptions_count,
      finished_at: run.finished_at,
      graph,
      id: run.id,
      inputs: run.inputs as Record<string, unknown>,
      outputs: (run.outputs as Record<string, unknown> | null) ?? null,
      status: run.status,
      total_steps: run.total_steps,
      total_tokens: run.total_tokens,
      trace_id: traceIdOf(run.trace_parent),
      triggered_from: run.triggered_from,
      workflow_id: run.workflow_id,
    };
  }

  async nodeExecutions(user: ConsoleUser, appId: string, runId: string): Promise<ConsoleNodeExecutionList> {
    const { history } = await this.history(user, appId, runId);
    return { data: history.nodes.map(toConsoleNodeExecution) };
  }

  async stop(user: ConsoleUser, appId: string, taskId: string): Promise<void> {
    await this.runs.stopTask(await this.apps.requireApp(user, appId), taskId);
  }

  /** The run's events as the Service API streams them: a running run from its start, live; a finished one its ending. */
  async events(user: ConsoleUser, appId: string, runId: string, res: Response): Promise<void> {
    const app = await this.apps.requireApp(user, appId);
    await this.runs.follow(app, runId, { snapshot: true, user: null, wholeEnding: true }, res);
  }

  private async history(user: ConsoleUser, appId: string, runId: string) {
    const app = await this.apps.requireApp(user, appId);
    if (!isUuid(runId)) throw RunErrors.notFound();
    return { app, history: await this.bus.request('wf.run.history.v1', { appId: app.id, runId, workspaceId: app.workspaceId }) };
  }

  /** The graph of the workflow version the run used; a version since deleted with its app draws nothing. */
  private async graph(workspaceId: string, appId: string, workflowId: string): Promise<ConsoleGraph> {
    try {
      return graphOf((await this.bus.request('wf.workflow.get.v1', { appId, version: workflowId, workspaceId })).document);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') return { edges: [], nodes: [] };
      throw error;
    }
  }
}
