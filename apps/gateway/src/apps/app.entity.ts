import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An app of a workspace: its identity and mode; its workflow lives in the orchestrator. */
@Entity({ name: 'apps' })
@Index('apps_workspace_created_idx', ['workspaceId', 'createdAt'])
export class AppEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  mode!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  icon!: string;

  @Column({ name: 'icon_type', type: 'text' })
  iconType!: string;

  @Column({ name: 'icon_background', type: 'text' })
  iconBackground!: string;

  @Column({ name: 'use_icon_as_answer_icon', type: 'boolean', default: false })
  useIconAsAnswerIcon!: boolean;

  @Column({ name: 'model_config', type: 'jsonb', nullable: true })
  modelConfig!: Record<string, unknown> | null;

  @Column({ name: 'enable_api', type: 'boolean', default: true })
  enableApi!: boolean;

  /** Service API requests per minute per key of this app; null means RATE_LIMIT_PER_MINUTE. */
  @Column({ name: 'rate_limit_per_minute', type: 'integer', nullable: true })
  rateLimitPerMinute!: number | null;

  /** Runs in progress at once; null means APP_MAX_ACTIVE_REQUESTS, 0 unlimited (within that setting). */
  @Column({ name: 'max_active_requests', type: 'integer', nullable: true })
  maxActiveRequests!: number | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A Service API key: app keys reach one app, dataset keys the workspace's knowledge. Only a hash is kept. */
@Entity({ name: 'api_keys' })
@Index('api_keys_token_hash_key', ['tokenHash'], { unique: true })
@Index('api_keys_workspace_app_idx', ['workspaceId', 'appId'])
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid', nullable: true })
  appId!: string | null;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** The token's first characters, so people can tell keys apart in a list. */
  @Column({ name: 'token_hint', type: 'text' })
  tokenHint!: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}

/** A caller-named end user of an app (the Service API's `user` string), created on first sight. */
@Entity({ name: 'end_users' })
@Index('end_users_app_session_key', ['appId', 'sessionId'], { unique: true })
export class EndUserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'session_id', type: 'text' })
  sessionId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/**
 * A workspace's credentials for one model provider, sealed with the secret box and bound to this row
 * (workspace and provider); never returned by an API. Values of the old unbound format may not be written.
 */
@Entity({ name: 'provider_credentials' })
@Check('CHK_provider_credentials_bound_seal', `"sealed_credentials" NOT LIKE 'v1:%'`)
export class ProviderCredentialEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @PrimaryColumn({ type: 'text' })
  provider!: string;

  @Column({ name: 'sealed_credentials', type: 'text' })
  sealedCredentials!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
