import { Module } from '@nestjs/common';
import { AuditTrailService } from './audit-trail.service';
import { AuditController } from './audit.controller';

/** The console's audit routes; the compliance service holds the trail. The operators' check (system module) uses its service. */
@Module({ controllers: [AuditController], providers: [AuditTrailService], exports: [AuditTrailService] })
export class AuditConsoleModule {}
