import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, nodeRunnerConfigSpec } from '@weft/config';
import { PlatformModule, ServiceIdentity } from '@weft/platform';

/** Stateless workers: no schema of their own. */
@Module({})
export class NodeRunnerModule {
  static forRoot(config: ConfigOf<typeof nodeRunnerConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: NodeRunnerModule,
      imports: [PlatformModule.forRoot({ identity, config })],
    };
  }
}
