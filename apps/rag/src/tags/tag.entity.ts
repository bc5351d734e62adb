import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A tag of a workspace (Dify's `Tag`, type `knowledge` here): a name datasets are bound to. */
@Entity({ name: 'tags' })
@Index('tags_workspace_type_name_key', ['workspaceId', 'type', 'name'], { unique: true })
export class TagEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text', default: 'knowledge' })
  type!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** A tag bound to a dataset (Dify's `TagBinding`; `target_id` is the dataset). */
@Entity({ name: 'tag_bindings' })
@Index('tag_bindings_tag_target_key', ['tagId', 'targetId'], { unique: true })
@Index('tag_bindings_target_idx', ['targetId'])
export class TagBindingEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'tag_id', type: 'uuid' })
  tagId!: string;

  @Column({ name: 'target_id', type: 'uuid' })
  targetId!: string;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
