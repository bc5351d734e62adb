import 'reflect-metadata';
import { gatewayConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { gatewayDatabase } from './database.config';
import { GatewayModule } from './gateway.module';

void bootstrapService({
  service: 'gateway',
  spec: gatewayConfigSpec,
  persistence: gatewayDatabase,
  module: (config, identity) => GatewayModule.forRoot(config, identity),
  // A DSL import may be up to 10 MB of YAML, and a document's text 15 MB, sent inside JSON; everything else stays at 1 MB.
  jsonBodyLimits: { '/console/api/apps/imports': '15mb', '/v1/datasets': '16mb' },
});
