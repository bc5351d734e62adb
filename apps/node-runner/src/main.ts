// First: starts tracing before anything it instruments is loaded.
import './instrument';
import 'reflect-metadata';
import { nodeRunnerConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { NodeRunnerModule } from './node-runner.module';

void bootstrapService({
  service: 'node-runner',
  spec: nodeRunnerConfigSpec,
  module: (config, identity) => NodeRunnerModule.forRoot(config, identity),
});
