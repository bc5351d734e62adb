import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, nodeRunnerConfigSpec } from '@weft/config';
import { makeCounterProvider, ModelMetrics, modelMetricProviders } from '@weft/metrics';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { createFileStorage, storageSettingsFromConfig } from '@weft/storage';
import { UPLOADED_FILE_STORAGE } from './files/file-storage.config';
import { ToolFilesService } from './files/tool-files.service';
import { UploadedFilesService } from './files/uploaded-files.service';
import { NODE_RUNNER_CONFIG } from './node-runner.config';
import { NodeJobExecutorFactory } from './nodes/node-job-executor-factory.service';
import { NodeJobsHandler } from './nodes/node-jobs.handler';
import { ChatProviderService } from './providers/chat-providers.service';
import { KnowledgeService } from './providers/knowledge.service';
import { ApiToolProviders } from './tools/api/api-tools.service';
import { McpToolKind } from './tools/mcp/mcp-tool-kind.service';
import { McpToolsHandler } from './tools/mcp/mcp-tools.handler';
import { ToolRegistry } from './tools/tool-registry.service';
import { ModelGenerateHandler } from './providers/model-generate.handler';
import { ProviderCredentialsService } from './providers/provider-credentials.service';

/** Stateless workers: no schema of their own. */
@Module({})
export class NodeRunnerModule {
  static forRoot(config: ConfigOf<typeof nodeRunnerConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: NodeRunnerModule,
      imports: [PlatformModule.forRoot({ identity, config })],
      providers: [
        ApiToolProviders,
        makeCounterProvider({
          name: 'dify_api_cost_total',
          help: 'Model provider spend by provider, from the price table',
          labelNames: ['provider', 'currency'],
        }),
        ChatProviderService,
        KnowledgeService,
        ...modelMetricProviders,
        ModelMetrics,
        McpToolKind,
        McpToolsHandler,
        ModelGenerateHandler,
        NodeJobExecutorFactory,
        ToolRegistry,
        NodeJobsHandler,
        { provide: NODE_RUNNER_CONFIG, useValue: config },
        ProviderCredentialsService,
        { provide: UPLOADED_FILE_STORAGE, useValue: createFileStorage(storageSettingsFromConfig(config.storage)) },
        ToolFilesService,
        UploadedFilesService,
      ],
    };
  }
}
