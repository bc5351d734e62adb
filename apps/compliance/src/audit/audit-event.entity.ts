import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One audit event as stored in the trail, exactly once per event id, chained to the record before it:
 * `hash` is SHA-256 over the canonical encoding of every field here and `prevHash` (audit-chain.util.ts).
 * The table is append-only (a trigger refuses updates, and deletes outside retention pruning).
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_seq_key', ['seq'], { unique: true })
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
}
