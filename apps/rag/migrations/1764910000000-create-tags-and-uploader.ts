import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dify's knowledge tags (workspace-wide, type `knowledge`) and their bindings to datasets; and the name of
 * the account that added a document, which Dify's built-in `uploader` metadata field shows.
 */
export class CreateTagsAndUploader1764910000000 implements MigrationInterface {
  name = 'CreateTagsAndUploader1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "rag"."tags" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "type" text NOT NULL DEFAULT 'knowledge',
        "name" text NOT NULL,
        "created_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_tags_id" PRIMARY KEY ("id")
      )`);
    // Serves the duplicate-name check (one name per workspace and type) and listing a workspace's tags.
    await q.query(`CREATE UNIQUE INDEX "tags_workspace_type_name_key" ON "rag"."tags" ("workspace_id", "type", "name")`);

    await q.query(`
      CREATE TABLE "rag"."tag_bindings" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "tag_id" uuid NOT NULL,
        "target_id" uuid NOT NULL,
        "created_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_tag_bindings_id" PRIMARY KEY ("id")
      )`);
    // Keeps a tag bound once to a dataset; serves counting a tag's bindings, deleting them with the tag, and
    // finding the datasets bound to the tags of a `tag_ids` filter.
    await q.query(`CREATE UNIQUE INDEX "tag_bindings_tag_target_key" ON "rag"."tag_bindings" ("tag_id", "target_id")`);
    // Serves a dataset's tags (its answers and GET /v1/datasets/{id}/tags) and deleting them with the dataset.
    await q.query(`CREATE INDEX "tag_bindings_target_idx" ON "rag"."tag_bindings" ("target_id")`);

    await q.query(`ALTER TABLE "rag"."documents" ADD "uploader" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "rag"."documents" DROP COLUMN "uploader"`);
    await q.query(`DROP TABLE "rag"."tag_bindings"`);
    await q.query(`DROP TABLE "rag"."tags"`);
  }
}
