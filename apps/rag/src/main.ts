// First: starts tracing before anything it instruments is loaded.
import './instrument';
import 'reflect-metadata';
import { ragConfigSpec } from '@weft/config';
import { bootstrapService } from '@weft/platform';
import { ragDatabase } from './database.config';
import { RagModule } from './rag.module';

void bootstrapService({
  service: 'rag',
  spec: ragConfigSpec,
  persistence: ragDatabase,
  module: (config, identity) => RagModule.forRoot(config, identity),
});
