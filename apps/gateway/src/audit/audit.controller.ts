import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { parseBody, type ListAuditLogsResponse, type VerifyAuditTrailResponse } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { AuditLogsQuerySchema, toListRequest } from './audit.dto';

/** Walking a long chain takes a while; the verify answer may take longer than an ordinary request. */
const VERIFY_TIMEOUT_MS = 120_000;

/** The console's audit trail: a workspace's records for its owners and admins, and the chain check. */
@Controller('console/api/audit')
@UseGuards(ConsoleAuthGuard)
@RequireRole('admin')
export class AuditController {
  constructor(private readonly bus: MessageBus) {}

  @Get('logs')
  logs(@CurrentConsoleUser() user: ConsoleUser, @Query() query: unknown): Promise<ListAuditLogsResponse> {
    return this.bus.request('audit.logs.v1', toListRequest(user.workspaceId, parseBody(AuditLogsQuerySchema, query)));
  }

  @Get('verify')
  verify(): Promise<VerifyAuditTrailResponse> {
    return this.bus.request('audit.verify.v1', {}, { timeoutMs: VERIFY_TIMEOUT_MS });
  }
}
