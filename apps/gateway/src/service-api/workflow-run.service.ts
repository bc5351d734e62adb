import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError, type RunStreamEvent } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { Response } from 'express';
import type { z } from 'zod';
import type { AppKeyContext } from './app-key.guard';
import { EndUserService } from './end-user.service';
import { RunEventFeed } from './run-event-feed.util';
import { RunFilesService } from './run-files.service';
import { SseWriter } from './sse.util';
import { toBlockingResponse, type WorkflowRunRequestSchema } from './workflow-run.dto';

const START_TIMEOUT_MS = 10_000;

/**
 * Runs a workflow app for the Service API. The run's live events are subscribed to before the start
 * command is sent, so none is missed; a blocking call answers from the terminal event, a streaming
 * call relays every event as Dify's SSE. The run belongs to the orchestrator: a client that goes away
 * neither stops nor orphans it.
 */
@Injectable()
export class WorkflowRunService {
  private readonly logger = new Logger(WorkflowRunService.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly endUsers: EndUserService,
    private readonly runFiles: RunFilesService,
  ) {}

  async run(ctx: AppKeyContext, req: z.infer<typeof WorkflowRunRequestSchema>, workflowId: string | null, res: Response): Promise<Record<string, unknown> | undefined> {
    if (ctx.app.mode !== 'workflow') throw new DomainError('not_workflow_app', 'Please check if your app mode matches the right API route.');
    if (workflowId !== null && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(workflowId)) {
      throw new DomainError('bad_request', 'Invalid workflow_id format: must be a UUID.');
    }
    const { files, inputs } = await this.runFiles.resolve(ctx, workflowId, req.inputs, (req.files ?? []) as Record<string, unknown>[]);
    const endUserId = await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, req.user);
    const runId = randomUUID();
    const taskId = randomUUID();
    const feed = new RunEventFeed(this.bus, runId, async () => {
      const finished = await this.finishedFromStore(ctx, runId, taskId);
      return finished ? [finished] : [];
    });
    try {
      await this.bus.request(
        'wf.run.start.v1',
        {
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
        },
        { timeoutMs: START_TIMEOUT_MS },
      );
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

  /** A `workflow_finished` built from the stored run when it has ended, or null while it runs. */
  private async finishedFromStore(ctx: AppKeyContext, runId: string, taskId: string): Promise<RunStreamEvent | null> {
    try {
      const run = await this.bus.request('wf.run.get.v1', { appId: ctx.app.id, runId, workspaceId: ctx.app.workspaceId });
      if (run.status === 'running') return null;
      return {
        data: {
          created_at: run.created_at,
          created_by: { id: run.created_by_end_user_id, user: run.created_by_end_user_session_id },
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
        task_id: taskId,
        workflow_run_id: runId,
      };
    } catch (error) {
      this.logger.warn(`Could not read run "${runId}" while waiting for it: ${(error as Error).message}`);
      return null;
    }
  }
}
