import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A chunk of a document with its embedding and full-text vector. The HNSW indexes are expression indexes
 * per embedding size with a partial predicate, which TypeORM cannot describe: the migration owns them.
 */
@Entity({ name: 'segments' })
@Index('segments_document_position_key', ['documentId', 'position'], { unique: true })
@Index('segments_dataset_idx', ['datasetId', 'documentId'])
@Index('segments_content_tsv_idx', { synchronize: false })
@Index('segments_embedding_384_hnsw', { synchronize: false })
@Index('segments_embedding_512_hnsw', { synchronize: false })
@Index('segments_embedding_768_hnsw', { synchronize: false })
@Index('segments_embedding_1024_hnsw', { synchronize: false })
@Index('segments_embedding_1536_hnsw', { synchronize: false })
@Index('segments_embedding_3072_hnsw', { synchronize: false })
export class SegmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId!: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'text', nullable: true })
  answer!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  keywords!: string[];

  @Column({ name: 'word_count', type: 'integer', default: 0 })
  wordCount!: number;

  @Column({ type: 'integer', default: 0 })
  tokens!: number;

  @Column({ name: 'index_node_id', type: 'text' })
  indexNodeId!: string;

  @Column({ name: 'index_node_hash', type: 'text' })
  indexNodeHash!: string;

  @Column({ name: 'hit_count', type: 'integer', default: 0 })
  hitCount!: number;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'text', default: 'completed' })
  status!: string;

  @Column({ type: 'vector', nullable: true })
  embedding!: string | null;

  @Column({ name: 'embedding_dim', type: 'integer', nullable: true })
  embeddingDim!: number | null;

  @Column({ name: 'content_tsv', type: 'tsvector' })
  contentTsv!: string;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** Embeddings already computed, by model and content hash, so re-indexing unchanged text calls no provider. */
@Entity({ name: 'embedding_cache' })
export class EmbeddingCacheEntity {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'vector' })
  embedding!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
