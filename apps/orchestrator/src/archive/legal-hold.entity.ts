import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A legal hold on a workspace: while it exists, retention deletes none of the workspace's data. */
@Entity({ name: 'legal_holds' })
export class LegalHoldEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'placed_by', type: 'text', nullable: true })
  placedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
