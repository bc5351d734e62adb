import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ListAuditLogsResponseSchema,
  VerifyWorkspaceAuditTrailResponseSchema,
  type ListAuditLogsResponse,
  type VerifyWorkspaceAuditTrailResponse,
} from '@weft/contracts';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { ParsedQuery, Returns } from '../docs/route-schema.util';
import { AuditLogsQuerySchema, type AuditLogsQuery } from './audit.dto';
import { AuditTrailService } from './audit-trail.service';

/**
 * The console's audit trail, for a workspace's owners and admins: its records, and the check of its own chain
 * (the platform-wide check is the operators': GET /v1/system/audit/verify).
 */
@Controller('console/api/audit')
@UseGuards(ConsoleAuthGuard)
@RequireRole('admin')
export class AuditController {
  constructor(private readonly trail: AuditTrailService) {}

  @Get('logs')
  @Returns(ListAuditLogsResponseSchema)
  logs(@CurrentConsoleUser() user: ConsoleUser, @ParsedQuery(AuditLogsQuerySchema) query: AuditLogsQuery): Promise<ListAuditLogsResponse> {
    return this.trail.logs(user, query);
  }

  @Get('verify')
  @Returns(VerifyWorkspaceAuditTrailResponseSchema)
  verify(@CurrentConsoleUser() user: ConsoleUser): Promise<VerifyWorkspaceAuditTrailResponse> {
    return this.trail.verify(user);
  }
}
