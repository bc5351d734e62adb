import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One run of a workflow, with Dify's columns plus the lease that says which orchestrator drives it. */
@Entity({ name: 'workflow_runs' })
@Index('workflow_runs_app_created_idx', ['workspaceId', 'appId', 'createdAt', 'id'])
@Index('workflow_runs_task_idx', ['taskId'])
@Index('workflow_runs_status_lease_idx', ['status', 'leaseExpiresAt'])
@Index('workflow_runs_created_idx', ['createdAt', 'id'])
@Index('workflow_runs_app_status_created_idx', ['workspaceId', 'appId', 'status', 'createdAt', 'id'])
@Index('workflow_runs_app_session_created_idx', ['workspaceId', 'appId', 'createdByEndUserSessionId', 'createdAt', 'id'])
@Index('workflow_runs_app_end_user_created_idx', ['workspaceId', 'appId', 'createdByEndUserId', 'createdAt', 'id'])
// A pg_trgm GIN index on `inputs::text`, which TypeORM cannot describe: migration 1765500000000 owns it.
@Index('workflow_runs_inputs_trgm_idx', { synchronize: false })
@Index('workflow_runs_start_audit_idx', ['createdAt'], { where: '"start_audit" IS NOT NULL' })
export class WorkflowRunEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'text' })
  version!: string;

  @Column({ name: 'triggered_from', type: 'text' })
  triggeredFrom!: string;

  @Column({ name: 'created_from', type: 'text' })
  createdFrom!: string;

  @Column({ type: 'jsonb' })
  inputs!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  files!: unknown[];

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'jsonb', nullable: true })
  outputs!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'elapsed_time', type: 'double precision', default: 0 })
  elapsedTime!: number;

  @Column({ name: 'total_tokens', type: 'bigint', default: 0 })
  totalTokens!: string;

  @Column({ name: 'total_steps', type: 'integer', default: 0 })
  totalSteps!: number;

  @Column({ name: 'exceptions_count', type: 'integer', default: 0 })
  exceptionsCount!: number;

  @Column({ name: 'created_by_role', type: 'text' })
  createdByRole!: string;

  @Column({ name: 'created_by_account_id', type: 'text', nullable: true })
  createdByAccountId!: string | null;

  @Column({ name: 'created_by_end_user_id', type: 'text', nullable: true })
  createdByEndUserId!: string | null;

  @Column({ name: 'created_by_end_user_session_id', type: 'text', nullable: true })
  createdByEndUserSessionId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  chat!: Record<string, unknown> | null;

  @Column({ name: 'stop_requested', type: 'boolean', default: false })
  stopRequested!: boolean;

  /** The `run.started` audit event until it is on its way to the trail (see RunStartAudits). */
  @Column({ name: 'start_audit', type: 'jsonb', nullable: true })
  startAudit!: Record<string, unknown> | null;

  /** The W3C `traceparent` of the run's first span: a resumed run's span links to it. */
  @Column({ name: 'trace_parent', type: 'text', nullable: true })
  traceParent!: string | null;
}
