import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One audit event as stored in the trail, exactly once per event id, chained to the record before it:
 * `hash` is SHA-256 over the canonical encoding of every field here and `prevHash` (audit-chain.util.ts).
 * A record of a workspace is also chained to that workspace's record before it (`workspaceSeq`,
 * `workspacePrevHash`, `workspaceHash`), so the workspace's chain can be verified on its own.
 * The table is append-only (a trigger refuses updates, and deletes outside retention pruning).
 */
@Entity({ name: 'audit_events' })
@Check(
  'CHK_audit_events_workspace_link',
  `("workspace_id" IS NULL AND "workspace_seq" IS NULL AND "workspace_prev_hash" IS NULL AND "workspace_hash" IS NULL)
   OR ("workspace_id" IS NOT NULL AND "workspace_seq" IS NOT NULL AND "workspace_prev_hash" IS NOT NULL AND "workspace_hash" IS NOT NULL)`,
)
@Index('audit_events_seq_key', ['seq'], { unique: true })
@Index('audit_events_workspace_seq_key', ['workspaceId', 'workspaceSeq'], { unique: true })
@Index('audit_events_workspace_occurred_idx', ['workspaceId', 'occurredAt', 'seq'])
@Index('audit_events_workspace_actor_idx', ['workspaceId', 'actorType', 'actorId', 'occurredAt', 'seq'])
@Index('audit_events_workspace_action_idx', ['workspaceId', 'action', 'occurredAt', 'seq'])
@Index('audit_events_workspace_resource_idx', ['workspaceId', 'resourceType', 'resourceId', 'occurredAt', 'seq'])
@Index('audit_events_actor_seq_idx', ['actorType', 'actorId', 'seq'])
@Index('audit_events_resource_seq_idx', ['resourceType', 'resourceId', 'seq'])
export class AuditEventEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ type: 'text' })
  service!: string;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: string;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId!: string | null;

  @Column({ name: 'workspace_id', type: 'text', nullable: true })
  workspaceId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'resource_type', type: 'text' })
  resourceType!: string;

  @Column({ name: 'resource_id', type: 'text', nullable: true })
  resourceId!: string | null;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'correlation_id', type: 'text', nullable: true })
  correlationId!: string | null;

  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  /** Position in the chain, from 1 without gaps (a bigint, so TypeORM reads it as a string). */
  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;

  /** Position in its workspace's chain, from 1 without gaps; null for a record of no workspace. */
  @Column({ name: 'workspace_seq', type: 'bigint', nullable: true })
  workspaceSeq!: string | null;

  /** The `workspaceHash` of the workspace's record before this one (the genesis hash for its first). */
  @Column({ name: 'workspace_prev_hash', type: 'text', nullable: true })
  workspacePrevHash!: string | null;

  /** SHA-256 over `hash` and the record's place in its workspace's chain (workspaceLinkHash). */
  @Column({ name: 'workspace_hash', type: 'text', nullable: true })
  workspaceHash!: string | null;
}
