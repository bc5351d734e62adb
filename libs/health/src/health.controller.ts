import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service';

/** Liveness, readiness and a detailed view, on every service's HTTP port. */
@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: answers as long as the process and its event loop do. */
  @Get('health')
  @HttpCode(200)
  @ApiOkResponse({
    description: 'The process answers',
    schema: { properties: { status: { enum: ['ok'], type: 'string' } }, required: ['status'], type: 'object' },
  })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: 200 when every dependency the service needs answers (naming under `degraded` those down that only
   * make it do less, such as Redis), 503 naming the failing ones otherwise.
   */
  @Get('ready')
  @ApiOkResponse({
    description: 'Every dependency answers',
    schema: {
      properties: {
        degraded: { items: { type: 'string' }, type: 'array' },
        failing: { items: { type: 'string' }, type: 'array' },
        status: { type: 'string' },
      },
      required: ['status', 'failing', 'degraded'],
      type: 'object',
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'Some dependency does not answer',
    schema: {
      properties: {
        degraded: { items: { type: 'string' }, type: 'array' },
        failing: { items: { type: 'string' }, type: 'array' },
        status: { type: 'string' },
      },
      required: ['status', 'failing', 'degraded'],
      type: 'object',
    },
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: string; failing: string[]; degraded: string[] }> {
    const report = await this.readiness.report();
    res.status(report.status === 'ok' ? 200 : 503);
    return { status: report.status, failing: report.failing, degraded: report.degraded };
  }

  @Get('health/details')
  @ApiOkResponse({
    description: 'Each dependency with its state, and the process',
    schema: { properties: { process: { type: 'object' }, status: { type: 'string' } }, required: ['status'], type: 'object' },
  })
  @ApiServiceUnavailableResponse({ description: 'The same, while some dependency does not answer', schema: { type: 'object' } })
  async details(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const report = await this.readiness.report();
    res.status(report.status === 'ok' ? 200 : 503);
    const mem = process.memoryUsage();
    return {
      ...report,
      process: {
        pid: process.pid,
        uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
      },
    };
  }
}
