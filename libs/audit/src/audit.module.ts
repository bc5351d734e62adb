import { DynamicModule, Module } from '@nestjs/common';
import type { ServiceName } from '@weft/contracts';
import { AUDIT_SERVICE_NAME, AuditService } from './audit.service';

/** `AuditService` for one service; events go to the compliance service's trail over JetStream. */
@Module({})
export class AuditModule {
  static forRoot(service: ServiceName): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      providers: [{ provide: AUDIT_SERVICE_NAME, useValue: service }, AuditService],
      exports: [AuditService],
    };
  }
}
