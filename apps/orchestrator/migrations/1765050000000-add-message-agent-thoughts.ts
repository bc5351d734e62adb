import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An agent-chat app's message keeps its agent's thoughts (Dify's `message_agent_thoughts`), written with the
 * rest of the finished turn and read only with the message (`GET /v1/messages`), so they live on its row:
 * no table, no index of their own.
 */
export class AddMessageAgentThoughts1765050000000 implements MigrationInterface {
  name = 'AddMessageAgentThoughts1765050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "orchestrator"."messages" ADD COLUMN "agent_thoughts" jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "orchestrator"."messages" DROP COLUMN "agent_thoughts"`);
  }
}
