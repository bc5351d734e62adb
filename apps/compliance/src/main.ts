import 'reflect-metadata';
import { complianceConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { keyringFromSettings } from '@weft/security';
import { resealAuditAnchors } from './audit/audit-event.repository';
import { AuditSealer } from './audit/audit-seal.util';
import { complianceDatabase } from './database.config';
import { ComplianceModule } from './compliance.module';

void bootstrapService({
  service: 'compliance',
  spec: complianceConfigSpec,
  persistence: complianceDatabase,
  module: (config, identity) => ComplianceModule.forRoot(config, identity),
  // The audit chain's seals (its head and retention checkpoints) are keyed like the secrets.
  rotateSecrets: async (source, config) => [
    { where: 'audit chain seals', ...(await resealAuditAnchors(source, new AuditSealer(keyringFromSettings(config.security)))) },
  ],
});
