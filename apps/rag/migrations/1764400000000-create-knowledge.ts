import { MigrationInterface, QueryRunner } from 'typeorm';

// Embedding sizes that get an HNSW index (pgvector indexes at most 2000 dimensions); others are searched
// exactly. Kept literal here, as a migration must not change; the service's list is in segments/embedding-index.util.ts.
const INDEXED_EMBEDDING_DIMENSIONS = [384, 512, 768, 1024, 1536] as const;

export class CreateKnowledge1764400000000 implements MigrationInterface {
  name = 'CreateKnowledge1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await q.query(`
      CREATE TABLE "rag"."datasets" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "name" text NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "provider" text NOT NULL DEFAULT 'vendor',
        "permission" text NOT NULL DEFAULT 'only_me',
        "indexing_technique" text,
        "embedding_model" text,
        "embedding_model_provider" text,
        "retrieval_model" jsonb,
        "doc_form" text,
        "built_in_field_enabled" boolean NOT NULL DEFAULT false,
        "created_by" text,
        "updated_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_datasets_id" PRIMARY KEY ("id")
      )`);
    // Serves the duplicate-name check and listing a workspace's datasets by name.
    await q.query(`CREATE UNIQUE INDEX "datasets_workspace_name_key" ON "rag"."datasets" ("workspace_id", "name")`);

    await q.query(`
      CREATE TABLE "rag"."documents" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "dataset_id" uuid NOT NULL,
        "position" integer NOT NULL,
        "name" text NOT NULL,
        "batch" text NOT NULL,
        "data_source_type" text NOT NULL,
        "data_source_info" jsonb NOT NULL,
        "source_text" text,
        "process_rule" jsonb NOT NULL,
        "doc_form" text NOT NULL DEFAULT 'text_model',
        "doc_language" text NOT NULL DEFAULT 'English',
        "indexing_status" text NOT NULL,
        "error" text,
        "enabled" boolean NOT NULL DEFAULT true,
        "archived" boolean NOT NULL DEFAULT false,
        "word_count" integer NOT NULL DEFAULT 0,
        "tokens" integer NOT NULL DEFAULT 0,
        "doc_metadata" jsonb NOT NULL DEFAULT '{}',
        "created_from" text NOT NULL DEFAULT 'api',
        "created_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "processing_started_at" TIMESTAMP WITH TIME ZONE,
        "parsing_completed_at" TIMESTAMP WITH TIME ZONE,
        "cleaning_completed_at" TIMESTAMP WITH TIME ZONE,
        "splitting_completed_at" TIMESTAMP WITH TIME ZONE,
        "completed_at" TIMESTAMP WITH TIME ZONE,
        "stopped_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_documents_id" PRIMARY KEY ("id")
      )`);
    // Serves listing a dataset's documents in position order (and counting them).
    await q.query(`CREATE INDEX "documents_dataset_position_idx" ON "rag"."documents" ("dataset_id", "position")`);
    // Serves GET …/documents/{batch}/indexing-status.
    await q.query(`CREATE INDEX "documents_dataset_batch_idx" ON "rag"."documents" ("dataset_id", "batch")`);

    await q.query(`
      CREATE TABLE "rag"."segments" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "dataset_id" uuid NOT NULL,
        "document_id" uuid NOT NULL,
        "position" integer NOT NULL,
        "content" text NOT NULL,
        "answer" text,
        "keywords" jsonb NOT NULL DEFAULT '[]',
        "word_count" integer NOT NULL DEFAULT 0,
        "tokens" integer NOT NULL DEFAULT 0,
        "index_node_id" text NOT NULL,
        "index_node_hash" text NOT NULL,
        "hit_count" integer NOT NULL DEFAULT 0,
        "enabled" boolean NOT NULL DEFAULT true,
        "status" text NOT NULL DEFAULT 'completed',
        "embedding" vector,
        "embedding_dim" integer,
        "content_tsv" tsvector NOT NULL,
        "created_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "completed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_segments_id" PRIMARY KEY ("id")
      )`);
    // Serves listing a document's segments in order, replacing them on re-indexing, and keeps one per position.
    await q.query(`CREATE UNIQUE INDEX "segments_document_position_key" ON "rag"."segments" ("document_id", "position")`);
    // Serves filtering semantic and full-text candidates by dataset.
    await q.query(`CREATE INDEX "segments_dataset_idx" ON "rag"."segments" ("dataset_id", "document_id")`);
    // Serves full-text and keyword search.
    await q.query(`CREATE INDEX "segments_content_tsv_idx" ON "rag"."segments" USING gin ("content_tsv")`);
    // Serve semantic search, one HNSW index per common embedding size (cosine distance); see bench:rag for m and ef_construction.
    for (const dim of INDEXED_EMBEDDING_DIMENSIONS) {
      await q.query(
        `CREATE INDEX "segments_embedding_${dim}_hnsw" ON "rag"."segments" USING hnsw ((embedding::vector(${dim})) vector_cosine_ops) WITH (m = 24, ef_construction = 128) WHERE embedding_dim = ${dim}`,
      );
    }

    await q.query(`
      CREATE TABLE "rag"."embedding_cache" (
        "key" text NOT NULL,
        "embedding" vector NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_embedding_cache_key" PRIMARY KEY ("key")
      )`);

    await q.query(`
      CREATE TABLE "rag"."metadata_fields" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "dataset_id" uuid NOT NULL,
        "name" text NOT NULL,
        "type" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_metadata_fields_id" PRIMARY KEY ("id")
      )`);
    // Serves listing a dataset's metadata fields and keeps names unique in it.
    await q.query(`CREATE UNIQUE INDEX "metadata_fields_dataset_name_key" ON "rag"."metadata_fields" ("dataset_id", "name")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['metadata_fields', 'embedding_cache', 'segments', 'documents', 'datasets'])
      await q.query(`DROP TABLE "rag"."${table}"`);
  }
}
