import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the console's run list (RunRepository.pageRuns: newest first, keyset on (created_at, id), one app
 * of one workspace), so each filter reads only its own page however many runs the table holds. With no filter, or
 * only the time range, the existing `workflow_runs_app_created_idx` serves. The archive table gets the same, since
 * the list reads both.
 * - `…_app_status_created_idx`: `status = …`.
 * - `…_app_session_created_idx` and `…_app_end_user_created_idx`: `end_user` (an end user's session id or id).
 * - `…_inputs_trgm_idx`: `keyword` (`inputs::text ILIKE '%…%'`), a pg_trgm GIN index.
 */
export class IndexConsoleRunList1765500000000 implements MigrationInterface {
  name = 'IndexConsoleRunList1765500000000';

  async up(q: QueryRunner): Promise<void> {
    // Services migrate in any order, possibly at the same moment: a concurrent twin's CREATE EXTENSION fails with a unique violation.
    await q.query(`
      DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXCEPTION WHEN unique_violation THEN NULL;
      END $$`);
    for (const table of ['workflow_runs', 'workflow_runs_archive']) {
      await q.query(
        `CREATE INDEX "${table}_app_status_created_idx" ON "orchestrator"."${table}" ("workspace_id", "app_id", "status", "created_at", "id")`,
      );
      await q.query(
        `CREATE INDEX "${table}_app_session_created_idx" ON "orchestrator"."${table}" ("workspace_id", "app_id", "created_by_end_user_session_id", "created_at", "id")`,
      );
      await q.query(
        `CREATE INDEX "${table}_app_end_user_created_idx" ON "orchestrator"."${table}" ("workspace_id", "app_id", "created_by_end_user_id", "created_at", "id")`,
      );
      await q.query(`CREATE INDEX "${table}_inputs_trgm_idx" ON "orchestrator"."${table}" USING gin ((inputs::text) gin_trgm_ops)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['workflow_runs_archive', 'workflow_runs']) {
      for (const suffix of ['inputs_trgm_idx', 'app_end_user_created_idx', 'app_session_created_idx', 'app_status_created_idx']) {
        await q.query(`DROP INDEX "orchestrator"."${table}_${suffix}"`);
      }
    }
  }
}
