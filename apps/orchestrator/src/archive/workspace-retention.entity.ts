import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A workspace's own retention period for its runs and node runs; without a row the default applies. */
@Entity({ name: 'workspace_retention' })
export class WorkspaceRetentionEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'retention_days', type: 'integer' })
  retentionDays!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
