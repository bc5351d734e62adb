// First: starts tracing before anything it instruments is loaded.
import './instrument';
import 'reflect-metadata';
import { gatewayConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { keyringFromSettings, secretBoxFor } from '@weft/security';
import { PROVIDER_CREDENTIALS_PURPOSE } from './apps/credentials-box.module';
import { applyConsoleApp } from './console-app/console-app.util';
import { rotateProviderCredentials, rotateToolProviderSecrets } from './apps/credentials-rotation.util';
import { gatewayDatabase } from './database.config';
import { setupOpenApi } from './docs/openapi.util';
import { GatewayModule } from './gateway.module';
import { applyHttpProtection } from './protection/http-protection.util';

void bootstrapService({
  service: 'gateway',
  spec: gatewayConfigSpec,
  persistence: gatewayDatabase,
  module: (config, identity) => GatewayModule.forRoot(config, identity),
  configure: (app, config) => {
    applyHttpProtection(app, config);
    applyConsoleApp(app);
    setupOpenApi(app);
  },
  // A DSL import may be up to 10 MB of YAML, and a document's text 15 MB, sent inside JSON (also segments
  // added in bulk); everything else stays at 1 MB.
  jsonBodyLimits: {
    '/console/api/apps/imports': '15mb',
    '^/v1/datasets/[^/]+/(document/create[-_]by[-_]text|documents/[^/]+/update[-_]by[-_]text|documents/[^/]+/segments)$': '16mb',
  },
  rotateSecrets: async (source, config) => {
    const keyring = keyringFromSettings(config.security);
    const box = secretBoxFor(keyring, PROVIDER_CREDENTIALS_PURPOSE);
    return [
      await rotateProviderCredentials(source, box, { currentKeyId: keyring.currentKeyId }),
      await rotateToolProviderSecrets(source, box, { currentKeyId: keyring.currentKeyId }),
    ];
  },
});
