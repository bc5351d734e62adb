import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An app's workflow: its one draft (`version` "draft") or a published version (`version` is the publish time). */
@Entity({ name: 'workflows' })
@Index('workflows_app_version_key', ['workspaceId', 'appId', 'version'], { unique: true })
// Its secrets are sealed bound to the app; no secret of the old unbound format (`v1:`) may be written (migration 1764800000000).
@Check(
  'CHK_workflows_bound_secrets',
  `NOT jsonb_path_exists("document", '$.workflow.environment_variables[*] ? (@.value_type == "secret" && @.value like_regex "^v1:")') ` +
    `AND NOT jsonb_path_exists("document", '$.workflow.graph.nodes[*].data ? (@.type == "http-request").authorization.config.api_key ? (@ like_regex "^v1:")')`,
)
export class WorkflowEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ type: 'text' })
  version!: string;

  /** The Dify DSL document the version was saved from, so a run and an export read the same thing. */
  @Column({ type: 'jsonb' })
  document!: Record<string, unknown>;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
