import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A question and answer pair of a chat app (Dify's `message_annotations`), with the embedding of its question
 * in the vector space of the app's reply model (`embedding_model`, a model key) while annotation reply is on.
 */
@Entity({ name: 'message_annotations' })
@Index('message_annotations_app_created_idx', ['workspaceId', 'appId', 'createdAt', 'id'])
export class MessageAnnotationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ type: 'text' })
  question!: string;

  @Column({ type: 'text' })
  answer!: string;

  @Column({ name: 'hit_count', type: 'integer', default: 0 })
  hitCount!: number;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @Column({ type: 'vector', nullable: true })
  embedding!: string | null;

  @Column({ name: 'embedding_model', type: 'text', nullable: true })
  embeddingModel!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** An app's annotation reply while it is on (Dify's `app_annotation_settings`): the model and how close a query must be. */
@Entity({ name: 'annotation_settings' })
export class AnnotationSettingEntity {
  @PrimaryColumn({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'score_threshold', type: 'double precision' })
  scoreThreshold!: number;

  @Column({ name: 'embedding_provider', type: 'text' })
  embeddingProvider!: string;

  @Column({ name: 'embedding_model', type: 'text' })
  embeddingModel!: string;

  @Column({ name: 'model_key', type: 'text' })
  modelKey!: string;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A job enabling or disabling an app's annotation reply, run under a lease so another orchestrator finishes it. */
@Entity({ name: 'annotation_jobs' })
@Index('annotation_jobs_app_created_idx', ['appId', 'createdAt'])
export class AnnotationJobEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text', default: '' })
  error!: string;

  @Column({ name: 'score_threshold', type: 'double precision', nullable: true })
  scoreThreshold!: number | null;

  @Column({ name: 'embedding_provider', type: 'text', nullable: true })
  embeddingProvider!: string | null;

  @Column({ name: 'embedding_model', type: 'text', nullable: true })
  embeddingModel!: string | null;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
