import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A data export of one account: built by a compliance replica under a lease, sealed (AES-256-GCM) into the
 * file storage, downloadable once with a token of which only the hash is kept.
 */
@Entity({ name: 'data_exports' })
@Check('CHK_data_exports_bound_key', `"sealed_key" IS NULL OR "sealed_key" NOT LIKE 'v1:%'`)
@Index('data_exports_status_idx', ['status', 'leaseExpiresAt'])
@Index('data_exports_account_idx', ['accountId'])
export class DataExportEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_data_exports_id' })
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ name: 'workspace_ids', type: 'jsonb', default: () => "'[]'" })
  workspaceIds!: string[];

  /** pending, running, completed or failed. */
  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** Where the sealed archive lies; null before it is built and after it is purged. */
  @Column({ name: 'storage_key', type: 'text', nullable: true })
  storageKey!: string | null;

  /** The archive's own random key, sealed with the configured secret keys and bound to this export (and its account). */
  @Column({ name: 'sealed_key', type: 'text', nullable: true })
  sealedKey!: string | null;

  @Column({ type: 'bigint', nullable: true })
  size!: string | null;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'downloaded_at', type: 'timestamptz', nullable: true })
  downloadedAt!: Date | null;
}

/**
 * An erasure saga: whose data, which workspaces, and how far it got. Steps are rows of `erasure_steps`;
 * the saga is driven by one compliance replica at a time under a lease, so a crash only delays it.
 */
@Entity({ name: 'erasure_requests' })
@Index('erasure_requests_status_idx', ['status', 'nextAttemptAt'])
export class ErasureRequestEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_erasure_requests_id' })
  id!: string;

  /** account or end_user. */
  @Column({ name: 'subject_type', type: 'text' })
  subjectType!: string;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @Column({ name: 'workspace_id', type: 'uuid', nullable: true })
  workspaceId!: string | null;

  @Column({ name: 'app_id', type: 'uuid', nullable: true })
  appId!: string | null;

  /** The end user's `user` string, needed by the steps; cleared when the saga ends (the hash stays). */
  @Column({ name: 'end_user', type: 'text', nullable: true })
  endUser!: string | null;

  @Column({ name: 'end_user_hash', type: 'text', nullable: true })
  endUserHash!: string | null;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @Column({ name: 'requested_in', type: 'uuid' })
  requestedIn!: string;

  @Column({ name: 'workspace_ids', type: 'jsonb', default: () => "'[]'" })
  workspaceIds!: string[];

  @Column({ name: 'delete_workspace_ids', type: 'jsonb', default: () => "'[]'" })
  deleteWorkspaceIds!: string[];

  @Column({ name: 'delete_documents', type: 'boolean', default: false })
  deleteDocuments!: boolean;

  /** pending, running, completed or failed. */
  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'status_token_hash', type: 'text', nullable: true })
  statusTokenHash!: string | null;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** When a step that failed is tried again. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}

/** One service's part of an erasure saga. */
@Entity({ name: 'erasure_steps' })
export class ErasureStepEntity {
  @PrimaryColumn({ name: 'request_id', type: 'uuid', primaryKeyConstraintName: 'PK_erasure_steps_request_id_service' })
  requestId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_erasure_steps_request_id_service' })
  service!: string;

  @Column({ type: 'integer' })
  position!: number;

  /** pending, completed or failed. */
  @Column({ type: 'text', default: 'pending' })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** What the step removed, by kind of row (non-personal counts). */
  @Column({ type: 'jsonb', nullable: true })
  counts!: Record<string, number> | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** A legal hold: while active, erasure of the workspace's data or of the account is refused. */
@Entity({ name: 'legal_holds' })
@Index('legal_holds_workspace_idx', ['workspaceId', 'releasedAt'])
@Index('legal_holds_account_idx', ['accountId', 'releasedAt'])
export class LegalHoldEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_legal_holds_id' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'placed_by', type: 'uuid' })
  placedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt!: Date | null;

  @Column({ name: 'released_by', type: 'uuid', nullable: true })
  releasedBy!: string | null;
}
