import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /v1/app/feedbacks` lists every feedback on an app's messages, newest first, a page at a time
 * (ConversationRepository.listAppFeedbacks: workspace and app, ordered by created_at).
 */
export class IndexAppFeedbacks1764870000000 implements MigrationInterface {
  name = 'IndexAppFeedbacks1764870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "message_feedbacks_app_created_idx" ON "orchestrator"."message_feedbacks" ("workspace_id", "app_id", "created_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "orchestrator"."message_feedbacks_app_created_idx"`);
  }
}
