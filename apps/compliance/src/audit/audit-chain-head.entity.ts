import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** The one row every append locks (FOR UPDATE): the last record's sequence number and hash. */
@Entity({ name: 'audit_chain_head' })
@Check('CHK_audit_chain_head_single', '"id" = 1')
export class AuditChainHeadEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'PK_audit_chain_head_id' })
  id!: number;

  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq!: string;

  @Column({ name: 'last_hash', type: 'text' })
  lastHash!: string;

  /** `<key id>:<HMAC>` over this anchor (audit-seal.util.ts); null only until the service first seals it after an upgrade. */
  @Column({ type: 'text', nullable: true })
  seal!: string | null;

  /** Whether workspace heads made by the migration that chained the workspaces still wait for their first seal (at start). */
  @Column({ name: 'workspace_heads_pending', type: 'boolean', default: false })
  workspaceHeadsPending!: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
