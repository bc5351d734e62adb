import { Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import { ActiveRequestSlot } from '../protection/rate-limit.interceptor';
import { NoRequestTimeout } from '../protection/request-timeout.interceptor';
import { AppKeyGuard, CurrentApp, type AppKeyContext } from './app-key.guard';
import {
  BlockingRunResponseSchema,
  LogPageSchema,
  LogsQuerySchema,
  RunDetailSchema,
  RunEventsQuerySchema,
  StopRequestSchema,
  WorkflowRunRequestSchema,
  type LogPage,
  type RunDetail,
} from './workflow-run.dto';
import { WorkflowRunService } from './workflow-run.service';

/** Dify's workflow Service API: run, read, stop, list and resume. */
@Controller('v1')
@UseGuards(AppKeyGuard)
export class WorkflowRunController {
  constructor(private readonly runs: WorkflowRunService) {}

  // The response is written by hand: a streaming run keeps it open after the handler returns.
  @Post('workflows/run')
  @Audited(AUDITED_ROUTES.workflowRunStarted)
  @ActiveRequestSlot()
  @HttpCode(200)
  @Returns(BlockingRunResponseSchema)
  async run(
    @CurrentApp() ctx: AppKeyContext,
    @ParsedBody(WorkflowRunRequestSchema) body: z.infer<typeof WorkflowRunRequestSchema>,
    @Res() res: Response,
  ): Promise<void> {
    const blocking = await this.runs.run(ctx, body, null, res);
    if (blocking) res.status(200).json(blocking);
  }

  @Post('workflows/:workflowId/run')
  @Audited(AUDITED_ROUTES.workflowRunStarted)
  @ActiveRequestSlot()
  @HttpCode(200)
  @Returns(BlockingRunResponseSchema)
  async runVersion(
    @CurrentApp() ctx: AppKeyContext,
    @Param('workflowId') workflowId: string,
    @ParsedBody(WorkflowRunRequestSchema) body: z.infer<typeof WorkflowRunRequestSchema>,
    @Res() res: Response,
  ): Promise<void> {
    const blocking = await this.runs.run(ctx, body, workflowId, res);
    if (blocking) res.status(200).json(blocking);
  }

  @Get('workflows/run/:runId')
  @Returns(RunDetailSchema)
  detail(@CurrentApp() ctx: AppKeyContext, @Param('runId') runId: string): Promise<RunDetail> {
    return this.runs.detail(ctx, runId);
  }

  /** Always `{result: "success"}`, as Dify answers, whether or not a run was still going. */
  @Post('workflows/tasks/:taskId/stop')
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  async stop(
    @CurrentApp() ctx: AppKeyContext,
    @Param('taskId') taskId: string,
    @ParsedBody(StopRequestSchema) _body: z.infer<typeof StopRequestSchema>,
  ): Promise<SuccessResult> {
    await this.runs.stop(ctx, taskId);
    return SUCCESS;
  }

  @Get('workflows/logs')
  @Returns(LogPageSchema)
  logs(@CurrentApp() ctx: AppKeyContext, @ParsedQuery(LogsQuerySchema) query: z.infer<typeof LogsQuerySchema>): Promise<LogPage> {
    return this.runs.logs(ctx, query);
  }

  /**
   * A run's event stream (server-sent events), as Dify's: a finished run answers its one
   * `workflow_finished`; a running one follows live until it ends, after replaying what it has done so
   * far when `include_state_snapshot=true`.
   */
  @Get('workflow/:runId/events')
  @NoRequestTimeout()
  @Returns(null)
  events(
    @CurrentApp() ctx: AppKeyContext,
    @Param('runId') runId: string,
    @ParsedQuery(RunEventsQuerySchema) query: z.infer<typeof RunEventsQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    return this.runs.events(ctx, runId, query, res);
  }
}
