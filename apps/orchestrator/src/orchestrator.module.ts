import { DynamicModule, Module } from '@nestjs/common';
import { ConfigOf, orchestratorConfigSpec } from '@weft/config';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider, METRIC, nodeMetricProviders } from '@weft/metrics';
import { PlatformModule, ServiceIdentity } from '@weft/platform';
import { keyringFromSettings, secretBoxFor, JobGrants } from '@weft/security';
import { AnnotationEmbeddingRepository } from './annotations/annotation-embedding.repository';
import { AnnotationIndexService } from './annotations/annotation-index.service';
import { AnnotationHandler } from './annotations/annotation.handler';
import { AnnotationRepository } from './annotations/annotation.repository';
import { AnnotationService } from './annotations/annotation.service';
import { ArchiveModule } from './archive/archive.module';
import { ConversationVariableRepository } from './conversations/conversation-variable.repository';
import { ChatAssistService } from './conversations/chat-assist.service';
import { ConversationHandler } from './conversations/conversation.handler';
import { ConversationRepository } from './conversations/conversation.repository';
import { ConversationService } from './conversations/conversation.service';
import { orchestratorDatabase } from './database.config';
import { NodeExecutorFactory } from './nodes/node-executor-factory.service';
import { NodeJobDispatcher } from './nodes/node-job-dispatcher.service';
import { ORCHESTRATOR_CONFIG } from './orchestrator.config';
import { PrivacyHandler } from './privacy/privacy.handler';
import { PrivacyRepository } from './privacy/privacy.repository';
import { RunHandler } from './runs/run.handler';
import { RunRepository } from './runs/run.repository';
import { RunService } from './runs/run.service';
import { RunStartAudits } from './runs/run-start-audits.service';
import { SECRETS_BOX, WorkflowCache } from './workflows/workflow-cache.service';
import { WORKFLOW_ENVIRONMENT_PURPOSE } from './workflows/secret-environment.util';
import { WorkflowSecretsUpgrade } from './workflows/secret-upgrade.service';
import { WorkflowDslService } from './workflows/workflow-dsl.service';
import { WorkflowHandler } from './workflows/workflow.handler';
import { WorkflowRepository } from './workflows/workflow.repository';

const RUN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const metrics = [
  makeCounterProvider({ name: 'dify_workflow_executions_total', help: 'Workflow runs by terminal status', labelNames: ['status'] }),
  makeHistogramProvider({ name: 'dify_workflow_execution_duration_seconds', help: 'Workflow run duration', buckets: RUN_BUCKETS }),
  makeCounterProvider({
    name: 'dify_node_executions_total',
    help: 'Node executions by node type and status',
    labelNames: ['node_type', 'status'],
  }),
  makeHistogramProvider({
    name: 'dify_node_execution_duration_seconds',
    help: 'Node execution duration by node type',
    labelNames: ['node_type'],
    buckets: RUN_BUCKETS,
  }),
  makeGaugeProvider({
    name: METRIC.runsInFlight,
    help: 'Runs this orchestrator instance is driving now (started or resumed, not yet ended)',
  }),
  ...nodeMetricProviders,
];

/** Workflows, runs and the engine that drives them; conversations, messages and annotations of the chat-family runs. */
@Module({})
export class OrchestratorModule {
  static forRoot(config: ConfigOf<typeof orchestratorConfigSpec>, identity: ServiceIdentity): DynamicModule {
    return {
      module: OrchestratorModule,
      imports: [PlatformModule.forRoot({ identity, config, persistence: orchestratorDatabase }), ArchiveModule.forRoot(config.retention)],
      providers: [
        ...metrics,
        { provide: ORCHESTRATOR_CONFIG, useValue: config },
        { provide: SECRETS_BOX, useValue: secretBoxFor(keyringFromSettings(config.security), WORKFLOW_ENVIRONMENT_PURPOSE) },
        { provide: JobGrants, useValue: new JobGrants(config.security.secretKey) },
        AnnotationEmbeddingRepository,
        AnnotationHandler,
        AnnotationIndexService,
        AnnotationRepository,
        AnnotationService,
        ChatAssistService,
        ConversationHandler,
        ConversationRepository,
        ConversationService,
        ConversationVariableRepository,
        NodeExecutorFactory,
        NodeJobDispatcher,
        PrivacyHandler,
        PrivacyRepository,
        RunHandler,
        RunRepository,
        RunService,
        RunStartAudits,
        WorkflowCache,
        WorkflowDslService,
        WorkflowHandler,
        WorkflowRepository,
        WorkflowSecretsUpgrade,
      ],
    };
  }
}
