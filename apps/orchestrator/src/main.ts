import 'reflect-metadata';
import { orchestratorConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { orchestratorDatabase } from './database.config';
import { OrchestratorModule } from './orchestrator.module';

void bootstrapService({
  service: 'orchestrator',
  spec: orchestratorConfigSpec,
  persistence: orchestratorDatabase,
  module: (config, identity) => OrchestratorModule.forRoot(config, identity),
});
