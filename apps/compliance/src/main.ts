import 'reflect-metadata';
import { complianceConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { complianceDatabase } from './database.config';
import { ComplianceModule } from './compliance.module';

void bootstrapService({
  service: 'compliance',
  spec: complianceConfigSpec,
  persistence: complianceDatabase,
  module: (config, identity) => ComplianceModule.forRoot(config, identity),
});
