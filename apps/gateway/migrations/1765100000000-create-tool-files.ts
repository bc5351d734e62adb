import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files tools produced (Dify's `tool_files`): a built-in's audio or image, an MCP tool's blob. The bytes
 * live in the file storage under `storage_key` (`tool_files/<workspace>/<id><extension>`); a node's `files`
 * output names the row by `related_id`. The primary key serves the signed link's lookup and the node
 * runner's (`id` and `workspace_id`); the workspace index serves erasure and retention by workspace.
 */
export class CreateToolFiles1765100000000 implements MigrationInterface {
  name = 'CreateToolFiles1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "gateway"."tool_files" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "conversation_id" uuid,
        "name" text NOT NULL,
        "extension" text NOT NULL,
        "mime_type" text NOT NULL,
        "size" bigint NOT NULL,
        "storage_key" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_tool_files_id" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_tool_files_size" CHECK ("size" >= 0)
      )`);
    await q.query(`CREATE INDEX "IDX_tool_files_workspace" ON "gateway"."tool_files" ("workspace_id", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."tool_files"`);
  }
}
