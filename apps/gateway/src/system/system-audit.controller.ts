import { Controller, Get, UseGuards } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service';
import { PlatformAuditVerificationSchema, type PlatformAuditVerification } from '../audit/audit.dto';
import { Returns } from '../docs/route-schema.util';
import { OperatorTokenGuard } from './operator-token.guard';

/**
 * `GET /v1/system/audit/verify`: the whole platform's audit chain, for operators (the operator token), since
 * it counts and names every workspace's records. A workspace's admins check their own chain in the console.
 */
@Controller('v1/system/audit')
@UseGuards(OperatorTokenGuard)
export class SystemAuditController {
  constructor(private readonly trail: AuditTrailService) {}

  @Get('verify')
  @Returns(PlatformAuditVerificationSchema)
  verify(): Promise<PlatformAuditVerification> {
    return this.trail.verifyPlatform();
  }
}
