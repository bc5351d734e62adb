import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAppRequestLimits1764510000000 implements MigrationInterface {
  name = 'AddAppRequestLimits1764510000000';

  async up(q: QueryRunner): Promise<void> {
    // Per-app overrides of RATE_LIMIT_PER_MINUTE and APP_MAX_ACTIVE_REQUESTS; null means the configured default.
    await q.query(`ALTER TABLE "gateway"."apps" ADD "rate_limit_per_minute" integer`);
    await q.query(`ALTER TABLE "gateway"."apps" ADD "max_active_requests" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gateway"."apps" DROP COLUMN "max_active_requests"`);
    await q.query(`ALTER TABLE "gateway"."apps" DROP COLUMN "rate_limit_per_minute"`);
  }
}
