import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run keeps the W3C `traceparent` of its first span, so the span of a run resumed by another orchestrator
 * links to the original trace. Read only with the run it belongs to (claiming an orphan returns the row), so
 * no index. The archive table gains it too, in the same position: the archive job moves rows with `SELECT *`.
 */
export class AddRunTraceParent1765400000000 implements MigrationInterface {
  name = 'AddRunTraceParent1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs" ADD COLUMN "trace_parent" text`);
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs_archive" ADD COLUMN "trace_parent" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs_archive" DROP COLUMN "trace_parent"`);
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs" DROP COLUMN "trace_parent"`);
  }
}
