import { MigrationInterface, QueryRunner } from 'typeorm';

// Kept literal, as a migration must not change; the service's list is in segments/embedding-index.util.ts.
const INDEXED_EMBEDDING_DIMENSIONS = [384, 512, 768, 1024, 1536] as const;

/**
 * Child chunks of parent-child (`hierarchical_model`) documents: the small pieces that are embedded and
 * searched, while retrieval answers with their parent segment. Indexed as segments are.
 */
export class CreateChildChunks1764540000000 implements MigrationInterface {
  name = 'CreateChildChunks1764540000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "rag"."child_chunks" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "dataset_id" uuid NOT NULL,
        "document_id" uuid NOT NULL,
        "segment_id" uuid NOT NULL,
        "position" integer NOT NULL,
        "content" text NOT NULL,
        "word_count" integer NOT NULL DEFAULT 0,
        "index_node_id" text NOT NULL,
        "index_node_hash" text NOT NULL,
        "type" text NOT NULL DEFAULT 'automatic',
        "embedding" vector,
        "embedding_dim" integer,
        "content_tsv" tsvector NOT NULL,
        "created_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_child_chunks_id" PRIMARY KEY ("id")
      )`);
    // Serves listing a segment's child chunks in order, numbering new ones, and keeps one per position.
    await q.query(`CREATE UNIQUE INDEX "child_chunks_segment_position_key" ON "rag"."child_chunks" ("segment_id", "position")`);
    // Serves filtering search candidates by dataset, and replacing or deleting a document's child chunks.
    await q.query(`CREATE INDEX "child_chunks_dataset_idx" ON "rag"."child_chunks" ("dataset_id", "document_id")`);
    // Serves deleting a document's child chunks when it is re-indexed (the job knows only the document).
    await q.query(`CREATE INDEX "child_chunks_document_idx" ON "rag"."child_chunks" ("document_id")`);
    // Serves full-text and keyword search over child chunks.
    await q.query(`CREATE INDEX "child_chunks_content_tsv_idx" ON "rag"."child_chunks" USING gin ("content_tsv")`);
    // Serve semantic search over child chunks, one HNSW index per common embedding size, as for segments.
    for (const dim of INDEXED_EMBEDDING_DIMENSIONS) {
      await q.query(
        `CREATE INDEX "child_chunks_embedding_${dim}_hnsw" ON "rag"."child_chunks" USING hnsw ((embedding::vector(${dim})) vector_cosine_ops) WITH (m = 24, ef_construction = 128) WHERE embedding_dim = ${dim}`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "rag"."child_chunks"`);
  }
}
