import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The current value of one chatflow conversation variable in one conversation. */
@Entity({ name: 'conversation_variables' })
export class ConversationVariableEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'uuid' })
  conversationId!: string;

  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ name: 'value_type', type: 'text' })
  valueType!: string;

  @Column({ type: 'jsonb', nullable: true })
  value!: unknown;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
