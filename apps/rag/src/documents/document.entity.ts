import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A document of a dataset: its source (text or upload), how it is split, and how far indexing got. */
@Entity({ name: 'documents' })
@Index('documents_dataset_position_idx', ['datasetId', 'position'])
@Index('documents_dataset_batch_idx', ['datasetId', 'batch'])
export class DocumentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  batch!: string;

  @Column({ name: 'data_source_type', type: 'text' })
  dataSourceType!: string;

  @Column({ name: 'data_source_info', type: 'jsonb' })
  dataSourceInfo!: Record<string, unknown>;

  @Column({ name: 'source_text', type: 'text', nullable: true })
  sourceText!: string | null;

  @Column({ name: 'process_rule', type: 'jsonb' })
  processRule!: Record<string, unknown>;

  @Column({ name: 'doc_form', type: 'text', default: 'text_model' })
  docForm!: string;

  @Column({ name: 'doc_language', type: 'text', default: 'English' })
  docLanguage!: string;

  @Column({ name: 'indexing_status', type: 'text' })
  indexingStatus!: string;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'boolean', default: false })
  archived!: boolean;

  @Column({ name: 'word_count', type: 'integer', default: 0 })
  wordCount!: number;

  @Column({ type: 'integer', default: 0 })
  tokens!: number;

  @Column({ name: 'doc_metadata', type: 'jsonb', default: () => "'{}'" })
  docMetadata!: Record<string, unknown>;

  @Column({ name: 'created_from', type: 'text', default: 'api' })
  createdFrom!: string;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  /** The name of the account that added the document, for Dify's built-in `uploader` metadata field. */
  @Column({ type: 'text', nullable: true })
  uploader!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'processing_started_at', type: 'timestamptz', nullable: true })
  processingStartedAt!: Date | null;

  @Column({ name: 'parsing_completed_at', type: 'timestamptz', nullable: true })
  parsingCompletedAt!: Date | null;

  @Column({ name: 'cleaning_completed_at', type: 'timestamptz', nullable: true })
  cleaningCompletedAt!: Date | null;

  @Column({ name: 'splitting_completed_at', type: 'timestamptz', nullable: true })
  splittingCompletedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;
}
