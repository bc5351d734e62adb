import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables that moved, parents first. */
const TABLES = ['conversations', 'messages', 'message_feedbacks', 'erased_usage'] as const;

/**
 * Conversations, messages, their feedback and the usage kept after erasure move from the gateway's schema
 * to the orchestrator's, beside the runs that answer them. An upgraded database keeps its rows: each table
 * is moved whole (`SET SCHEMA` keeps rows, indexes and constraints). A database where the gateway never
 * created them gets them created here; the gateway's own migration of the same date copies and drops any
 * copy it creates later, so the two services may migrate in either order.
 */
export class MoveConversationsToOrchestrator1764700000000 implements MigrationInterface {
  name = 'MoveConversationsToOrchestrator1764700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      const [found] = (await q.query(`SELECT to_regclass($1) AS gateway, to_regclass($2) AS orchestrator`, [
        `gateway.${table}`,
        `orchestrator.${table}`,
      ])) as {
        gateway: string | null;
        orchestrator: string | null;
      }[];
      if (found?.orchestrator) continue;
      if (found?.gateway) await q.query(`ALTER TABLE "gateway"."${table}" SET SCHEMA "orchestrator"`);
      else await q.query(CREATE[table]);
      // Indexes serving each table's queries (created with the table in the gateway, so moved with it).
      if (!found?.gateway) for (const index of INDEXES[table]) await q.query(index);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await q.query(`ALTER TABLE "orchestrator"."${table}" SET SCHEMA "gateway"`);
  }
}

const CREATE: Record<(typeof TABLES)[number], string> = {
  conversations: `
    CREATE TABLE "orchestrator"."conversations" (
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
    )`,
  messages: `
    CREATE TABLE "orchestrator"."messages" (
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
    )`,
  message_feedbacks: `
    CREATE TABLE "orchestrator"."message_feedbacks" (
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
    )`,
  erased_usage: `
    CREATE TABLE "orchestrator"."erased_usage" (
      "workspace_id" uuid NOT NULL,
      "app_id" uuid NOT NULL,
      "day" date NOT NULL,
      "messages" integer NOT NULL DEFAULT 0,
      "conversations" integer NOT NULL DEFAULT 0,
      "message_tokens" bigint NOT NULL DEFAULT 0,
      "answer_tokens" bigint NOT NULL DEFAULT 0,
      "total_price" numeric(20,7) NOT NULL DEFAULT 0,
      CONSTRAINT "PK_erased_usage_workspace_id_app_id_day" PRIMARY KEY ("workspace_id", "app_id", "day")
    )`,
};

const INDEXES: Record<(typeof TABLES)[number], string[]> = {
  conversations: [
    // GET /v1/conversations for one user of one app, keyset-paged by last_id in either sort order.
    `CREATE INDEX "conversations_user_updated_idx" ON "orchestrator"."conversations" ("app_id", "end_user_id", "updated_at", "id")`,
    `CREATE INDEX "conversations_user_created_idx" ON "orchestrator"."conversations" ("app_id", "end_user_id", "created_at", "id")`,
  ],
  messages: [
    // GET /v1/messages (keyset-paged backwards by first_id) and the last N turns read for LLM memory.
    `CREATE INDEX "messages_conversation_created_idx" ON "orchestrator"."messages" ("conversation_id", "created_at", "id")`,
    // The stop routes, which name a message's run by its task id.
    `CREATE INDEX "messages_task_idx" ON "orchestrator"."messages" ("task_id")`,
  ],
  // Deleting a conversation's feedback with the conversation.
  message_feedbacks: [`CREATE INDEX "message_feedbacks_conversation_idx" ON "orchestrator"."message_feedbacks" ("conversation_id")`],
  erased_usage: [],
};
