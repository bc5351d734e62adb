import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HEALTH_OPTIONS, HealthOptions, READINESS_CHECKS } from './health.types';
import { ReadinessService } from './readiness.service';

/** `/health`, `/ready` and `/health/details`; readiness checks come from the `checks` provider. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions, checks: Provider & { provide: typeof READINESS_CHECKS }): DynamicModule {
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: options }, checks, ReadinessService],
      exports: [ReadinessService],
    };
  }
}
