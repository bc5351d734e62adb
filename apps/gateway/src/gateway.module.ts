import { DynamicModule, Module } from '@nestjs/common';
import { ToolsModule } from './tools/tools.module';
import { ConfigOf, gatewayConfigSpec } from '@weft/config';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { keyringFromSettings } from '@weft/security';
import { gatewayDatabase } from './database.config';
import { AccountsModule } from './accounts/accounts.module';
import { AnnotationsModule } from './annotations/annotations.module';
import { consoleAuthSettings } from './accounts/console-auth.settings';
import { AppsModule } from './apps/apps.module';
import { AudioModule } from './audio/audio.module';
import { AuditConsoleModule } from './audit/audit.module';
import { CredentialsBoxModule } from './apps/credentials-box.module';
import { ConversationsModule } from './conversations/conversations.module';
import { FilesModule } from './files/files.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { MailModule } from './mail/mail.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ProtectionModule } from './protection/protection.module';
import { ServiceApiModule } from './service-api/service-api.module';
import { SystemModule } from './system/system.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

@Module({})
export class GatewayModule {
  static forRoot(config: ConfigOf<typeof gatewayConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forRoot({ identity, config, persistence: gatewayDatabase }),
        AccountsModule.forRoot(consoleAuthSettings(config)),
        AnnotationsModule,
        AppsModule,
        AudioModule.forRoot({ maxMb: config.audio.maxMb, providerAllowedHosts: config.providers.allowedHosts }),
        AuditConsoleModule,
        CredentialsBoxModule.forRoot(keyringFromSettings(config.security)),
        ConversationsModule,
        FilesModule.forRoot(config.files, config.security.secretKey),
        KnowledgeModule,
        ToolsModule,
        MailModule.forRoot(config.mail),
        PrivacyModule.forRoot(config.security),
        ProtectionModule.forRoot(config.protection),
        ServiceApiModule.forRoot({ fileSizeLimitMb: config.files.maxBytes }, { deadlineMs: config.runs.dispatchDeadlineMs }),
        WorkspacesModule,
        SystemModule.forRoot({
          links: { grafana: config.console.grafanaUrl ?? null, trace_url_template: config.console.traceUrlTemplate ?? null },
          timeoutMs: config.systemStatus.timeoutMs,
          token: config.systemStatus.token,
        }),
      ],
    };
  }
}
