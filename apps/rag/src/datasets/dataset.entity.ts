import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A knowledge base of a workspace: its settings; documents and segments hang off it. */
@Entity({ name: 'datasets' })
@Index('datasets_workspace_name_key', ['workspaceId', 'name'], { unique: true })
export class DatasetEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text', default: 'vendor' })
  provider!: string;

  @Column({ type: 'text', default: 'only_me' })
  permission!: string;

  @Column({ name: 'indexing_technique', type: 'text', nullable: true })
  indexingTechnique!: string | null;

  @Column({ name: 'embedding_model', type: 'text', nullable: true })
  embeddingModel!: string | null;

  @Column({ name: 'embedding_model_provider', type: 'text', nullable: true })
  embeddingModelProvider!: string | null;

  @Column({ name: 'retrieval_model', type: 'jsonb', nullable: true })
  retrievalModel!: Record<string, unknown> | null;

  @Column({ name: 'doc_form', type: 'text', nullable: true })
  docForm!: string | null;

  @Column({ name: 'built_in_field_enabled', type: 'boolean', default: false })
  builtInFieldEnabled!: boolean;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'updated_by', type: 'text', nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A metadata field declared on a dataset; documents carry values for it in `doc_metadata`. */
@Entity({ name: 'metadata_fields' })
@Index('metadata_fields_dataset_name_key', ['datasetId', 'name'], { unique: true })
export class MetadataFieldEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
