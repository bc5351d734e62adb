// First: starts tracing before anything it instruments is loaded.
import './instrument';
import 'reflect-metadata';
import { complianceConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { DATA_EXPORT_KEY_PURPOSE } from '@weft/contracts';
import { keyringFromSettings, secretBoxFor } from '@weft/security';
import { resealAuditAnchors } from './audit/audit-event.repository';
import { AuditSealer } from './audit/audit-seal.util';
import { verifyAuditCommand } from './audit/audit-verify.util';
import { complianceDatabase } from './database.config';
import { ComplianceModule } from './compliance.module';
import { rotateExportKeys } from './privacy/export-key-rotation.util';

void bootstrapService({
  service: 'compliance',
  spec: complianceConfigSpec,
  persistence: complianceDatabase,
  module: (config, identity) => ComplianceModule.forRoot(config, identity),
  // `npm run audit:verify`: the operators' check of the whole chain (or of one workspace's) from a shell.
  commands: {
    'verify-audit': (source, config, args) => verifyAuditCommand(source, new AuditSealer(keyringFromSettings(config.security)), args),
  },
  // The audit chain's seals (its head, retention checkpoints and workspace heads) are keyed like the secrets.
  rotateSecrets: async (source, config) => {
    const keyring = keyringFromSettings(config.security);
    return [
      { where: 'audit chain seals', ...(await resealAuditAnchors(source, new AuditSealer(keyring))) },
      await rotateExportKeys(source, secretBoxFor(keyring, DATA_EXPORT_KEY_PURPOSE), { currentKeyId: keyring.currentKeyId }),
    ];
  },
});
