import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run keeps the `run.started` audit event the gateway prepared for it (`start_audit`), written in the same
 * insert as the run, until the event is on its way to the trail (then it is cleared). The partial index finds
 * the few rows still holding one. The archive gets the column too: runs move there as `SELECT *`.
 */
export class AddRunStartAudit1765310000000 implements MigrationInterface {
  name = 'AddRunStartAudit1765310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs" ADD COLUMN "start_audit" jsonb`);
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs_archive" ADD COLUMN "start_audit" jsonb`);
    await q.query(
      `CREATE INDEX "workflow_runs_start_audit_idx" ON "orchestrator"."workflow_runs" ("created_at") WHERE "start_audit" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "orchestrator"."workflow_runs_start_audit_idx"`);
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs_archive" DROP COLUMN "start_audit"`);
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs" DROP COLUMN "start_audit"`);
  }
}
