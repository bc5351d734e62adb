import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A chat conversation of one end user of one app (Dify's `conversations`). */
@Entity({ name: 'conversations' })
@Index('conversations_user_updated_idx', ['appId', 'endUserId', 'updatedAt', 'id'])
@Index('conversations_user_created_idx', ['appId', 'endUserId', 'createdAt', 'id'])
@Index('conversations_app_updated_idx', ['workspaceId', 'appId', 'updatedAt', 'id'])
export class ConversationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'end_user_id', type: 'uuid' })
  endUserId!: string;

  @Column({ type: 'text' })
  mode!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  inputs!: Record<string, unknown>;

  @Column({ type: 'text', default: '' })
  introduction!: string;

  @Column({ type: 'text', default: 'normal' })
  status!: string;

  @Column({ name: 'dialogue_count', type: 'integer', default: 0 })
  dialogueCount!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** One turn: the user's query and the app's answer, with what it cost (Dify's `messages`). */
@Entity({ name: 'messages' })
@Index('messages_conversation_created_idx', ['conversationId', 'createdAt', 'id'])
@Index('messages_task_idx', ['taskId'])
export class MessageEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'conversation_id', type: 'uuid', nullable: true })
  conversationId!: string | null;

  @Column({ name: 'end_user_id', type: 'uuid' })
  endUserId!: string;

  @Column({ name: 'workflow_run_id', type: 'uuid', nullable: true })
  workflowRunId!: string | null;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'jsonb' })
  inputs!: Record<string, unknown>;

  @Column({ type: 'text' })
  query!: string;

  @Column({ type: 'text', default: '' })
  answer!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  files!: unknown[];

  @Column({ name: 'retriever_resources', type: 'jsonb', default: () => "'[]'" })
  retrieverResources!: unknown[];

  @Column({ name: 'agent_thoughts', type: 'jsonb', default: () => "'[]'" })
  agentThoughts!: unknown[];

  @Column({ name: 'message_tokens', type: 'integer', default: 0 })
  messageTokens!: number;

  @Column({ name: 'answer_tokens', type: 'integer', default: 0 })
  answerTokens!: number;

  @Column({ name: 'total_price', type: 'numeric', precision: 20, scale: 7, default: 0 })
  totalPrice!: string;

  @Column({ type: 'text', default: 'USD' })
  currency!: string;

  @Column({ type: 'double precision', default: 0 })
  latency!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** An end user's like or dislike of one answer. */
@Entity({ name: 'message_feedbacks' })
@Index('message_feedbacks_app_created_idx', ['workspaceId', 'appId', 'createdAt'])
@Index('message_feedbacks_conversation_idx', ['conversationId'])
export class MessageFeedbackEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'conversation_id', type: 'uuid', nullable: true })
  conversationId!: string | null;

  @Column({ name: 'end_user_id', type: 'uuid' })
  endUserId!: string;

  @Column({ type: 'text' })
  rating!: string;

  @Column({ type: 'text', nullable: true })
  content!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
