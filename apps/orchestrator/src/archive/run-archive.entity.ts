import { Entity, getMetadataArgsStorage, Index } from 'typeorm';
import { WorkflowNodeExecutionEntity } from '../runs/workflow-node-execution.entity';
import { WorkflowRunEntity } from '../runs/workflow-run.entity';

/**
 * Gives `archive` every column `live` declares, so an archive table's entity cannot drift from its live
 * table's. Not by `extends`: TypeORM would also inherit the live table's index names, which are unique per
 * schema, so each archive entity declares its own indexes.
 */
function sameColumnsAs(live: abstract new () => object, archive: abstract new () => object): void {
  const storage = getMetadataArgsStorage();
  for (const column of storage.filterColumns(live)) storage.columns.push({ ...column, target: archive });
}

/** A finished run moved out of `workflow_runs` by the archive job: the same columns, still readable by id. */
@Entity({ name: 'workflow_runs_archive' })
@Index('workflow_runs_archive_app_created_idx', ['workspaceId', 'appId', 'createdAt', 'id'])
@Index('workflow_runs_archive_created_idx', ['createdAt'])
@Index('workflow_runs_archive_app_status_created_idx', ['workspaceId', 'appId', 'status', 'createdAt', 'id'])
@Index('workflow_runs_archive_app_session_created_idx', ['workspaceId', 'appId', 'createdByEndUserSessionId', 'createdAt', 'id'])
@Index('workflow_runs_archive_app_end_user_created_idx', ['workspaceId', 'appId', 'createdByEndUserId', 'createdAt', 'id'])
// A pg_trgm GIN index on `inputs::text`, which TypeORM cannot describe: migration 1765500000000 owns it.
@Index('workflow_runs_archive_inputs_trgm_idx', { synchronize: false })
export class WorkflowRunArchiveEntity {
  id!: string;
  workspaceId!: string;
  appId!: string;
  createdAt!: Date;
  status!: string;
  createdByEndUserSessionId!: string | null;
  createdByEndUserId!: string | null;
}
sameColumnsAs(WorkflowRunEntity, WorkflowRunArchiveEntity);

/** A node run moved out of `workflow_node_executions` together with its run. */
@Entity({ name: 'workflow_node_executions_archive' })
@Index('workflow_node_executions_archive_run_index_idx', ['workflowRunId', 'index'])
export class WorkflowNodeExecutionArchiveEntity {
  id!: string;
  workflowRunId!: string;
  index!: number;
}
sameColumnsAs(WorkflowNodeExecutionEntity, WorkflowNodeExecutionArchiveEntity);
