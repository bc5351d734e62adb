import type { PersistenceDefinition } from '@weft/persistence';
import { CreateWorkflowsAndRuns1764200000000 } from '../migrations/1764200000000-create-workflows-and-runs';
import { WorkflowNodeExecutionEntity } from './runs/workflow-node-execution.entity';
import { WorkflowRunEntity } from './runs/workflow-run.entity';
import { WorkflowEntity } from './workflows/workflow.entity';

/** The orchestrator's data, in the "orchestrator" schema: workflows and their versions, runs and node runs. */
export const orchestratorDatabase: PersistenceDefinition = {
  schema: 'orchestrator',
  entities: [WorkflowEntity, WorkflowRunEntity, WorkflowNodeExecutionEntity],
  migrations: [CreateWorkflowsAndRuns1764200000000],
};
