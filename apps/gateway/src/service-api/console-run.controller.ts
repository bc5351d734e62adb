import { Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedQuery, Returns } from '../docs/route-schema.util';
import { NoRequestTimeout } from '../protection/request-timeout.interceptor';
import {
  ConsoleNodeExecutionListSchema,
  ConsoleRunDetailSchema,
  ConsoleRunPageSchema,
  ConsoleRunsQuerySchema,
  type ConsoleNodeExecutionList,
  type ConsoleRunDetail,
  type ConsoleRunPage,
  type ConsoleRunsQuery,
} from './console-run.dto';
import { ConsoleRunService } from './console-run.service';

/** The console's runs of an app (Dify's console names): every member reads them; stopping one needs an editor. */
@Controller('console/api/apps/:appId/workflow-runs')
@UseGuards(ConsoleAuthGuard)
export class ConsoleRunController {
  constructor(private readonly runs: ConsoleRunService) {}

  /** Newest first, keyset-paged after `last_id`. */
  @Get()
  @Returns(ConsoleRunPageSchema)
  list(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @ParsedQuery(ConsoleRunsQuerySchema) query: ConsoleRunsQuery,
  ): Promise<ConsoleRunPage> {
    return this.runs.list(user, appId, query);
  }

  @Post('tasks/:taskId/stop')
  @RequireRole('editor')
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  async stop(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @Param('taskId') taskId: string,
  ): Promise<SuccessResult> {
    await this.runs.stop(user, appId, taskId);
    return SUCCESS;
  }

  @Get(':runId')
  @Returns(ConsoleRunDetailSchema)
  detail(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string, @Param('runId') runId: string): Promise<ConsoleRunDetail> {
    return this.runs.detail(user, appId, runId);
  }

  @Get(':runId/node-executions')
  @Returns(ConsoleNodeExecutionListSchema)
  nodeExecutions(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @Param('runId') runId: string,
  ): Promise<ConsoleNodeExecutionList> {
    return this.runs.nodeExecutions(user, appId, runId);
  }

  /** Server-sent events, as `GET /v1/workflow/{run_id}/events` with the state snapshot; a finished run sends its ending and closes. */
  @Get(':runId/events')
  @NoRequestTimeout()
  @Returns(null)
  events(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @Param('runId') runId: string,
    @Res() res: Response,
  ): Promise<void> {
    return this.runs.events(user, appId, runId, res);
  }
}
