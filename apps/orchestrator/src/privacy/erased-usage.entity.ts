import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Usage of an app by end users whose messages were erased: counts and cost per day, with no content or identity. */
@Entity({ name: 'erased_usage' })
export class ErasedUsageEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid', primaryKeyConstraintName: 'PK_erased_usage_workspace_id_app_id_day' })
  workspaceId!: string;

  @PrimaryColumn({ name: 'app_id', type: 'uuid', primaryKeyConstraintName: 'PK_erased_usage_workspace_id_app_id_day' })
  appId!: string;

  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_erased_usage_workspace_id_app_id_day' })
  day!: string;

  @Column({ type: 'integer', default: 0 })
  messages!: number;

  @Column({ type: 'integer', default: 0 })
  conversations!: number;

  @Column({ name: 'message_tokens', type: 'bigint', default: 0 })
  messageTokens!: string;

  @Column({ name: 'answer_tokens', type: 'bigint', default: 0 })
  answerTokens!: string;

  @Column({ name: 'total_price', type: 'numeric', precision: 20, scale: 7, default: 0 })
  totalPrice!: string;
}
