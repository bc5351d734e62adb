import { Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import { AppLimitsRequestSchema, AppLimitsResponseSchema, toAppLimitsResponse, type AppLimitsResponse } from './app-limits.dto';
import { AppLimitsService } from './app-limits.service';

/** An app's Service API limits in the console: requests per minute per key, and runs in progress at once. */
@Controller('console/api/apps/:appId/rate-limit')
@UseGuards(ConsoleAuthGuard)
export class AppLimitsController {
  constructor(private readonly limits: AppLimitsService) {}

  @Get()
  @Returns(AppLimitsResponseSchema)
  async get(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<AppLimitsResponse> {
    return toAppLimitsResponse(appId, await this.limits.get(user.workspaceId, appId));
  }

  @Put()
  @RequireRole('editor')
  @Returns(AppLimitsResponseSchema)
  async set(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @ParsedBody(AppLimitsRequestSchema) body: z.infer<typeof AppLimitsRequestSchema>,
  ): Promise<AppLimitsResponse> {
    const stored = await this.limits.set(user.workspaceId, appId, {
      maxActiveRequests: body.max_active_requests,
      rateLimitPerMinute: body.requests_per_minute,
    });
    return toAppLimitsResponse(appId, stored);
  }
}
