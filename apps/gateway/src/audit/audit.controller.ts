import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ListAuditLogsResponseSchema,
  VerifyAuditTrailResponseSchema,
  type ListAuditLogsResponse,
  type VerifyAuditTrailResponse,
} from '@weft/contracts';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { ParsedQuery, Returns } from '../docs/route-schema.util';
import { AuditLogsQuerySchema, type AuditLogsQuery } from './audit.dto';
import { AuditTrailService } from './audit-trail.service';

/** The console's audit trail: a workspace's records for its owners and admins, and the chain check. */
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
  @Returns(VerifyAuditTrailResponseSchema)
  verify(): Promise<VerifyAuditTrailResponse> {
    return this.trail.verify();
  }
}
