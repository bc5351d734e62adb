import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, gatewayConfigSpec } from '@weft/config';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { gatewayDatabase } from './database.config';
import { SystemModule } from './system/system.module';

@Module({})
export class GatewayModule {
  static forRoot(config: ConfigOf<typeof gatewayConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forRoot({ identity, config, persistence: gatewayDatabase }),
        SystemModule.forRoot({ timeoutMs: config.systemStatus.timeoutMs, token: config.systemStatus.token }),
      ],
    };
  }
}
