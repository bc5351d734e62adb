import { Module } from '@nestjs/common';
import { AuditTrailService } from './audit-trail.service';
import { AuditController } from './audit.controller';

/** The console's audit routes; the compliance service holds the trail. */
@Module({ controllers: [AuditController], providers: [AuditTrailService] })
export class AuditConsoleModule {}
