import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, complianceConfigSpec } from '@weft/config';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { keyringFromSettings } from '@weft/security';
import { storageSettingsFromConfig } from '@weft/storage';
import { AuditTrailModule } from './audit/audit.module';
import { complianceDatabase } from './database.config';
import { PrivacyModule } from './privacy/privacy.module';

@Module({})
export class ComplianceModule {
  static forRoot(config: ConfigOf<typeof complianceConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: ComplianceModule,
      imports: [
        PlatformModule.forRoot({ identity, config, persistence: complianceDatabase }),
        AuditTrailModule.forRoot(config.audit, keyringFromSettings(config.security)),
        PrivacyModule.forRoot(config.privacy, config.security, storageSettingsFromConfig(config.storage)),
      ],
    };
  }
}
