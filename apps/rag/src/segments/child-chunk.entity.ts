import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A child chunk of a parent-child segment, with its own embedding and full-text vector: searched like a
 * segment, answered as its parent. The HNSW expression indexes belong to the migration, as for segments.
 */
@Entity({ name: 'child_chunks' })
@Index('child_chunks_segment_position_key', ['segmentId', 'position'], { unique: true })
@Index('child_chunks_dataset_idx', ['datasetId', 'documentId'])
@Index('child_chunks_document_idx', ['documentId'])
@Index('child_chunks_content_tsv_idx', { synchronize: false })
@Index('child_chunks_embedding_384_hnsw', { synchronize: false })
@Index('child_chunks_embedding_512_hnsw', { synchronize: false })
@Index('child_chunks_embedding_768_hnsw', { synchronize: false })
@Index('child_chunks_embedding_1024_hnsw', { synchronize: false })
@Index('child_chunks_embedding_1536_hnsw', { synchronize: false })
@Index('child_chunks_embedding_3072_hnsw', { synchronize: false })
export class ChildChunkEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId!: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId!: string;

  @Column({ name: 'segment_id', type: 'uuid' })
  segmentId!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  content!: string;

  @Column({ name: 'word_count', type: 'integer', default: 0 })
  wordCount!: number;

  @Column({ name: 'index_node_id', type: 'text' })
  indexNodeId!: string;

  @Column({ name: 'index_node_hash', type: 'text' })
  indexNodeHash!: string;

  /** `automatic` when indexing cut it, `customized` when added or edited by hand (Dify's values). */
  @Column({ type: 'text', default: 'automatic' })
  type!: string;

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
}
