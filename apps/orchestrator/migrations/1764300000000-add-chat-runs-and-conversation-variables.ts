import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddChatRunsAndConversationVariables1764300000000 implements MigrationInterface {
  name = 'AddChatRunsAndConversationVariables1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // The conversation turn a chat-family run answers; a resumed run needs it to speak in the same message.
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs" ADD "chat" jsonb`);
    await q.query(`
      CREATE TABLE "orchestrator"."conversation_variables" (
        "conversation_id" uuid NOT NULL,
        "name" text NOT NULL,
        "id" text NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "position" integer NOT NULL,
        "value_type" text NOT NULL,
        "value" jsonb,
        "description" text NOT NULL DEFAULT '',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_conversation_variables" PRIMARY KEY ("conversation_id", "name")
      )`);
    // The primary key serves loading a conversation's variables at the start of each turn and the API's
    // listing (a conversation has a handful of variables, sorted in memory by position).
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "orchestrator"."conversation_variables"`);
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs" DROP COLUMN "chat"`);
  }
}
