import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where one workspace's chain begins and ends: its first kept record (`firstSeq`, pointing back to
 * `firstPrevHash`; moved on by retention pruning) and its last (`lastSeq`, whose workspace hash is
 * `lastHash`). Appends lock it (after the global head) and seal it again; verification of the workspace
 * ends here.
 */
@Entity({ name: 'audit_workspace_heads' })
export class AuditWorkspaceHeadEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'text', primaryKeyConstraintName: 'PK_audit_workspace_heads_workspace_id' })
  workspaceId!: string;

  @Column({ name: 'first_seq', type: 'bigint' })
  firstSeq!: string;

  @Column({ name: 'first_prev_hash', type: 'text' })
  firstPrevHash!: string;

  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq!: string;

  @Column({ name: 'last_hash', type: 'text' })
  lastHash!: string;

  /** `<key id>:<HMAC>` over this anchor (audit-seal.util.ts); null only until the service first seals it after the upgrade. */
  @Column({ type: 'text', nullable: true })
  seal!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
