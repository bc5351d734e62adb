import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

/** The console's audit routes; the compliance service holds the trail. */
@Module({ controllers: [AuditController] })
export class AuditConsoleModule {}
