import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The console lists an app's conversations of every end user, most recently active first, keyset-paged on
 * (updated_at, id) (ConversationRepository.listAppConversations); the existing indexes start with the end user.
 */
export class IndexConsoleConversations1765500001000 implements MigrationInterface {
  name = 'IndexConsoleConversations1765500001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "conversations_app_updated_idx" ON "orchestrator"."conversations" ("workspace_id", "app_id", "updated_at", "id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "orchestrator"."conversations_app_updated_idx"`);
  }
}
