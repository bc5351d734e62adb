import type { PersistenceDefinition } from '@weft/persistence';
import { CreateWorkflowsAndRuns1764200000000 } from '../migrations/1764200000000-create-workflows-and-runs';
import { AddChatRunsAndConversationVariables1764300000000 } from '../migrations/1764300000000-add-chat-runs-and-conversation-variables';
import { ConversationVariableEntity } from './conversations/conversation-variable.entity';
import { WorkflowNodeExecutionEntity } from './runs/workflow-node-execution.entity';
import { WorkflowRunEntity } from './runs/workflow-run.entity';
import { WorkflowEntity } from './workflows/workflow.entity';

/** The orchestrator's data, in the "orchestrator" schema: workflows and their versions, runs and node runs, chatflow conversation variables. */
export const orchestratorDatabase: PersistenceDefinition = {
  schema: 'orchestrator',
  entities: [WorkflowEntity, WorkflowRunEntity, WorkflowNodeExecutionEntity, ConversationVariableEntity],
  migrations: [CreateWorkflowsAndRuns1764200000000, AddChatRunsAndConversationVariables1764300000000],
};
