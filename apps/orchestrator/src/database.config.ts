import { auditOutboxMigration } from '@weft/audit';
import type { PersistenceDefinition } from '@weft/persistence';
import { CreateWorkflowsAndRuns1764200000000 } from '../migrations/1764200000000-create-workflows-and-runs';
import { AddChatRunsAndConversationVariables1764300000000 } from '../migrations/1764300000000-add-chat-runs-and-conversation-variables';
import { AddRunArchiveAndRetention1764570000000 } from '../migrations/1764570000000-add-run-archive-and-retention';
import { MoveConversationsToOrchestrator1764700000000 } from '../migrations/1764700000000-move-conversations-to-orchestrator';
import { BindSealedWorkflowSecrets1764800000000 } from '../migrations/1764800000000-bind-sealed-workflow-secrets';
import { IndexAppFeedbacks1764870000000 } from '../migrations/1764870000000-index-app-feedbacks';
import { CreateAnnotations1764960000000 } from '../migrations/1764960000000-create-annotations';
import { AddMessageAgentThoughts1765050000000 } from '../migrations/1765050000000-add-message-agent-thoughts';
import { AddRunStartAudit1765310000000 } from '../migrations/1765310000000-add-run-start-audit';
import { AddRunTraceParent1765400000000 } from '../migrations/1765400000000-add-run-trace-parent';
import { IndexConsoleRunList1765500000000 } from '../migrations/1765500000000-index-console-run-list';
import { IndexConsoleConversations1765500001000 } from '../migrations/1765500001000-index-console-conversations';
import { AnnotationJobEntity, AnnotationSettingEntity, MessageAnnotationEntity } from './annotations/annotation.entity';
import { LegalHoldEntity } from './archive/legal-hold.entity';
import { WorkflowNodeExecutionArchiveEntity, WorkflowRunArchiveEntity } from './archive/run-archive.entity';
import { WorkspaceRetentionEntity } from './archive/workspace-retention.entity';
import { ConversationVariableEntity } from './conversations/conversation-variable.entity';
import { ConversationEntity, MessageEntity, MessageFeedbackEntity } from './conversations/conversation.entity';
import { ErasedUsageEntity } from './privacy/erased-usage.entity';
import { WorkflowNodeExecutionEntity } from './runs/workflow-node-execution.entity';
import { WorkflowRunEntity } from './runs/workflow-run.entity';
import { WorkflowEntity } from './workflows/workflow.entity';

/**
 * The orchestrator's data, in the "orchestrator" schema: workflows and their versions, runs and node runs (and
 * their archives), conversations with their messages, feedback and variables, usage kept after erasure, retention settings and legal holds,
 * annotations of chat apps with their reply settings and jobs.
 */
export const orchestratorDatabase: PersistenceDefinition = {
  schema: 'orchestrator',
  entities: [
    WorkflowEntity,
    WorkflowRunEntity,
    WorkflowNodeExecutionEntity,
    ConversationEntity,
    MessageEntity,
    MessageFeedbackEntity,
    ConversationVariableEntity,
    ErasedUsageEntity,
    WorkflowRunArchiveEntity,
    WorkflowNodeExecutionArchiveEntity,
    WorkspaceRetentionEntity,
    LegalHoldEntity,
    MessageAnnotationEntity,
    AnnotationSettingEntity,
    AnnotationJobEntity,
  ],
  migrations: [
    CreateWorkflowsAndRuns1764200000000,
    AddChatRunsAndConversationVariables1764300000000,
    AddRunArchiveAndRetention1764570000000,
    MoveConversationsToOrchestrator1764700000000,
    BindSealedWorkflowSecrets1764800000000,
    IndexAppFeedbacks1764870000000,
    CreateAnnotations1764960000000,
    AddMessageAgentThoughts1765050000000,
    auditOutboxMigration('orchestrator'),
    AddRunStartAudit1765310000000,
    AddRunTraceParent1765400000000,
    IndexConsoleRunList1765500000000,
    IndexConsoleConversations1765500001000,
  ],
};
