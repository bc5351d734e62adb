import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, gatewayConfigSpec } from '@weft/config';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { gatewayDatabase } from './database.config';
import { AccountsModule } from './accounts/accounts.module';
import { AppsModule } from './apps/apps.module';
import { ConversationsModule } from './conversations/conversations.module';
import { FilesModule } from './files/files.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { ServiceApiModule } from './service-api/service-api.module';
import { SystemModule } from './system/system.module';

@Module({})
export class GatewayModule {
  static forRoot(config: ConfigOf<typeof gatewayConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forRoot({ identity, config, persistence: gatewayDatabase }),
        AccountsModule.forRoot({ accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds * 60, secretKey: config.security.secretKey }),
        AppsModule,
        ConversationsModule,
        FilesModule.forRoot(config.files),
        KnowledgeModule,
        ServiceApiModule.forRoot({ fileSizeLimitMb: config.files.maxBytes }),
        SystemModule.forRoot({ timeoutMs: config.systemStatus.timeoutMs, token: config.systemStatus.token }),
      ],
    };
  }
}
