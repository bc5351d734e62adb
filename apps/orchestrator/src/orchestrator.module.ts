import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, orchestratorConfigSpec } from '@weft/config';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { orchestratorDatabase } from './database.config';

@Module({})
export class OrchestratorModule {
  static forRoot(config: ConfigOf<typeof orchestratorConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: OrchestratorModule,
      imports: [PlatformModule.forRoot({ identity, config, persistence: orchestratorDatabase })],
    };
  }
}
