import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, ragConfigSpec } from '@weft/config';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { ragDatabase } from './database.config';

@Module({})
export class RagModule {
  static forRoot(config: ConfigOf<typeof ragConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: RagModule,
      imports: [PlatformModule.forRoot({ identity, config, persistence: ragDatabase })],
    };
  }
}
