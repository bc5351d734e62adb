import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateConversationsAndMessages1764300000000 implements MigrationInterface {
  name = 'CreateConversationsAndMessages1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // A classic app's model config (chat, agent-chat, completion), kept as imported for export.
    await q.query(`ALTER TABLE "gateway"."apps" ADD "model_config" jsonb`);
    await q.query(`
      CREATE TABLE "gateway"."conversations" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "end_user_id" uuid NOT NULL,
        "mode" text NOT NULL,
        "name" text NOT NULL,
        "inputs" jsonb NOT NULL,
        "introduction" text NOT NULL DEFAULT '',
        "status" text NOT NULL DEFAULT 'normal',
        "dialogue_count" integer NOT NULL DEFAULT 0,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_conversations_id" PRIMARY KEY ("id")
      )`);
    // Serve GET /v1/conversations for one user of one app, keyset-paged by last_id in either sort order.
    await q.query(
      `CREATE INDEX "conversations_user_updated_idx" ON "gateway"."conversations" ("app_id", "end_user_id", "updated_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "conversations_user_created_idx" ON "gateway"."conversations" ("app_id", "end_user_id", "created_at", "id")`,
    );

    await q.query(`
      CREATE TABLE "gateway"."messages" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "conversation_id" uuid,
        "end_user_id" uuid NOT NULL,
        "workflow_run_id" uuid,
        "task_id" uuid NOT NULL,
        "inputs" jsonb NOT NULL,
        "query" text NOT NULL,
        "answer" text NOT NULL DEFAULT '',
        "status" text NOT NULL,
        "error" text,
        "files" jsonb NOT NULL DEFAULT '[]',
        "retriever_resources" jsonb NOT NULL DEFAULT '[]',
        "message_tokens" integer NOT NULL DEFAULT 0,
        "answer_tokens" integer NOT NULL DEFAULT 0,
        "total_price" numeric(20,7) NOT NULL DEFAULT 0,
        "currency" text NOT NULL DEFAULT 'USD',
        "latency" double precision NOT NULL DEFAULT 0,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_messages_id" PRIMARY KEY ("id")
      )`);
    // Serves GET /v1/messages (a conversation's history, keyset-paged backwards by first_id) and the
    // last N turns read for LLM memory: both walk one conversation by (created_at, id).
    await q.query(`CREATE INDEX "messages_conversation_created_idx" ON "gateway"."messages" ("conversation_id", "created_at", "id")`);
    // Serves the stop routes, which name a message's run by its task id.
    await q.query(`CREATE INDEX "messages_task_idx" ON "gateway"."messages" ("task_id")`);

    await q.query(`
      CREATE TABLE "gateway"."message_feedbacks" (
        "message_id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "conversation_id" uuid,
        "end_user_id" uuid NOT NULL,
        "rating" text NOT NULL,
        "content" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_message_feedbacks_message_id" PRIMARY KEY ("message_id")
      )`);
    // Serves deleting a conversation's feedback with the conversation.
    await q.query(`CREATE INDEX "message_feedbacks_conversation_idx" ON "gateway"."message_feedbacks" ("conversation_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."message_feedbacks"`);
    await q.query(`DROP TABLE "gateway"."messages"`);
    await q.query(`DROP TABLE "gateway"."conversations"`);
    await q.query(`ALTER TABLE "gateway"."apps" DROP COLUMN "model_config"`);
  }
}
