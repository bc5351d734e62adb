import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage that outlives erasure: when an end user's messages and conversations are deleted, their counts,
 * tokens and price are added here first (per app and day), so an app's totals stay computable.
 */
export class CreateErasedUsage1764560000000 implements MigrationInterface {
  name = 'CreateErasedUsage1764560000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "gateway"."erased_usage" (
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "day" date NOT NULL,
        "messages" integer NOT NULL DEFAULT 0,
        "conversations" integer NOT NULL DEFAULT 0,
        "message_tokens" bigint NOT NULL DEFAULT 0,
        "answer_tokens" bigint NOT NULL DEFAULT 0,
        "total_price" numeric(20,7) NOT NULL DEFAULT 0,
        CONSTRAINT "PK_erased_usage_workspace_id_app_id_day" PRIMARY KEY ("workspace_id", "app_id", "day")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."erased_usage"`);
  }
}
