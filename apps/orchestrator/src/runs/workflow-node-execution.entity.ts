import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One execution of one node in a run, as Dify stores it; values are kept whole, never truncated. */
@Entity({ name: 'workflow_node_executions' })
@Index('workflow_node_executions_run_index_idx', ['workflowRunId', 'index'])
export class WorkflowNodeExecutionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ name: 'workflow_run_id', type: 'uuid' })
  workflowRunId!: string;

  @Column({ type: 'integer' })
  index!: number;

  @Column({ name: 'predecessor_node_id', type: 'text', nullable: true })
  predecessorNodeId!: string | null;

  @Column({ name: 'node_id', type: 'text' })
  nodeId!: string;

  @Column({ name: 'node_type', type: 'text' })
  nodeType!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'jsonb', nullable: true })
  inputs!: Record<string, unknown> | null;

  @Column({ name: 'process_data', type: 'jsonb', nullable: true })
  processData!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  outputs!: Record<string, unknown> | null;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The branch the node took (if-else case, classifier class, fail-branch), so a resumed run follows it. */
  @Column({ name: 'edge_source_handle', type: 'text', nullable: true })
  edgeSourceHandle!: string | null;

  @Column({ name: 'elapsed_time', type: 'double precision', default: 0 })
  elapsedTime!: number;

  @Column({ name: 'execution_metadata', type: 'jsonb', nullable: true })
  executionMetadata!: Record<string, unknown> | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
