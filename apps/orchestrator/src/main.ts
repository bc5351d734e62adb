// First: starts tracing before anything it instruments is loaded.
import './instrument';
import 'reflect-metadata';
import { orchestratorConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { keyringFromSettings, secretBoxFor } from '@weft/security';
import { orchestratorDatabase } from './database.config';
import { OrchestratorModule } from './orchestrator.module';
import { WORKFLOW_ENVIRONMENT_PURPOSE } from './workflows/secret-environment.util';
import { rotateWorkflowSecrets } from './workflows/secret-rotation.util';

void bootstrapService({
  service: 'orchestrator',
  spec: orchestratorConfigSpec,
  persistence: orchestratorDatabase,
  module: (config, identity) => OrchestratorModule.forRoot(config, identity),
  rotateSecrets: async (source, config) => {
    const keyring = keyringFromSettings(config.security);
    return [
      await rotateWorkflowSecrets(source, secretBoxFor(keyring, WORKFLOW_ENVIRONMENT_PURPOSE), { currentKeyId: keyring.currentKeyId }),
    ];
  },
});
