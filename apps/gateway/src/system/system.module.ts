import { DynamicModule, Module } from '@nestjs/common';
import { AuditConsoleModule } from '../audit/audit.module';
import { OperatorTokenGuard, SYSTEM_STATUS_TOKEN } from './operator-token.guard';
import { SystemAuditController } from './system-audit.controller';
import { SystemStatusController } from './system-status.controller';
import { SYSTEM_STATUS_TIMEOUT_MS, SystemStatusService } from './system-status.service';

/** The platform's own status, gathered from every service, and the operators' check of the whole audit chain. */
@Module({})
export class SystemModule {
  static forRoot(options: { timeoutMs: number; token?: string }): DynamicModule {
    return {
      module: SystemModule,
      imports: [AuditConsoleModule],
      controllers: [SystemStatusController, SystemAuditController],
      providers: [
        OperatorTokenGuard,
        SystemStatusService,
        { provide: SYSTEM_STATUS_TIMEOUT_MS, useValue: options.timeoutMs },
        { provide: SYSTEM_STATUS_TOKEN, useValue: options.token },
      ],
    };
  }
}
