import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where the kept part of the chain begins after a pruning run: the first kept record's sequence number
 * and the hash of the (deleted) record before it. The newest checkpoint is where verification starts.
 */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpointEntity {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_checkpoints_seq' })
  seq!: string;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ name: 'pruned_count', type: 'bigint' })
  prunedCount!: string;

  @Column({ type: 'timestamptz' })
  cutoff!: Date;

  /** `<key id>:<HMAC>` over this anchor (audit-seal.util.ts); null only until the service first seals it after an upgrade. */
  @Column({ type: 'text', nullable: true })
  seal!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
