import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { parseBody } from '@weft/contracts';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { AppLimitsRequestSchema, toAppLimitsResponse, type AppLimitsResponse } from './app-limits.dto';
import { AppLimitsService } from './app-limits.service';

/** An app's Service API limits in the console: requests per minute per key, and runs in progress at once. */
@Controller('console/api/apps/:appId/rate-limit')
@UseGuards(ConsoleAuthGuard)
export class AppLimitsController {
  constructor(private readonly limits: AppLimitsService) {}

  @Get()
  async get(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<AppLimitsResponse> {
    return toAppLimitsResponse(appId, await this.limits.get(user.workspaceId, appId));
  }

  @Put()
  @RequireRole('editor')
  async set(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string, @Body() body: unknown): Promise<AppLimitsResponse> {
    const req = parseBody(AppLimitsRequestSchema, body);
    const stored = await this.limits.set(user.workspaceId, appId, { maxActiveRequests: req.max_active_requests, rateLimitPerMinute: req.requests_per_minute });
    return toAppLimitsResponse(appId, stored);
  }
}
