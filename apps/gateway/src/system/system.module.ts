import { DynamicModule, Module } from '@nestjs/common';
import { SYSTEM_STATUS_TOKEN, SystemStatusController } from './system-status.controller';
import { SYSTEM_STATUS_TIMEOUT_MS, SystemStatusService } from './system-status.service';

/** The platform's own status, gathered from every service. */
@Module({})
export class SystemModule {
  static forRoot(options: { timeoutMs: number; token?: string }): DynamicModule {
    return {
      module: SystemModule,
      controllers: [SystemStatusController],
      providers: [
        SystemStatusService,
        { provide: SYSTEM_STATUS_TIMEOUT_MS, useValue: options.timeoutMs },
        { provide: SYSTEM_STATUS_TOKEN, useValue: options.token },
      ],
    };
  }
}
