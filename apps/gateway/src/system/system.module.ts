import { DynamicModule, Module } from '@nestjs/common';
import { AuditConsoleModule } from '../audit/audit.module';
import { OperatorTokenGuard, SYSTEM_STATUS_TOKEN } from './operator-token.guard';
import { SystemAuditController } from './system-audit.controller';
import { SystemStatusController } from './system-status.controller';
import { CONSOLE_LINKS, SYSTEM_STATUS_TIMEOUT_MS, SystemStatusService } from './system-status.service';
import type { ConsoleLinks } from './system-status.dto';
import { ConsoleSystemController } from './console-system.controller';

/**
 * The platform's own status, gathered from every service (also for the console's admins), and the operators' check of
 * the whole audit chain.
 */
@Module({})
export class SystemModule {
  static forRoot(options: { links: ConsoleLinks; timeoutMs: number; token?: string }): DynamicModule {
    return {
      module: SystemModule,
      imports: [AuditConsoleModule],
      controllers: [ConsoleSystemController, SystemStatusController, SystemAuditController],
      providers: [
        OperatorTokenGuard,
        SystemStatusService,
        { provide: CONSOLE_LINKS, useValue: options.links },
        { provide: SYSTEM_STATUS_TIMEOUT_MS, useValue: options.timeoutMs },
        { provide: SYSTEM_STATUS_TOKEN, useValue: options.token },
      ],
    };
  }
}
