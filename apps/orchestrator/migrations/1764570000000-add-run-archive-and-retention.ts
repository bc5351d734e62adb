import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Archive tables for finished runs and their node runs, and the per-workspace retention settings.
 *
 * Why archive tables and not partitions: partitioning the live tables by time would need the partition key
 * in every primary key and unique index (a run is looked up by id alone), and converting the existing tables
 * means rewriting them. Moving old, finished runs in small batches keeps the live tables (and their indexes,
 * which every run write maintains) the size of the recent past, works on the tables as they are, and keeps
 * an archived run readable by id.
 */
export class AddRunArchiveAndRetention1764570000000 implements MigrationInterface {
  name = 'AddRunArchiveAndRetention1764570000000';

  async up(q: QueryRunner): Promise<void> {
    // Serves the archive job, which picks the oldest finished runs in (created_at, id) order and pages on
    // that key, and the retention job's scan for expired live runs.
    await q.query(`CREATE INDEX "workflow_runs_created_idx" ON "orchestrator"."workflow_runs" ("created_at", "id")`);

    // LIKE copies the live tables' columns in their order, so the archive job can move rows with
    // `INSERT … SELECT *`; a migration that adds a column to a live table adds it to its archive too (a test
    // compares them).
    await q.query(`CREATE TABLE "orchestrator"."workflow_runs_archive" (LIKE "orchestrator"."workflow_runs" INCLUDING DEFAULTS)`);
    await q.query(`ALTER TABLE "orchestrator"."workflow_runs_archive" ADD CONSTRAINT "PK_workflow_runs_archive_id" PRIMARY KEY ("id")`);
    // Serves GET /workflows/logs, which lists an app's archived runs after its live ones, newest first.
    await q.query(
      `CREATE INDEX "workflow_runs_archive_app_created_idx" ON "orchestrator"."workflow_runs_archive" ("workspace_id", "app_id", "created_at", "id")`,
    );
    // Serves the retention job's scan for expired archived runs.
    await q.query(`CREATE INDEX "workflow_runs_archive_created_idx" ON "orchestrator"."workflow_runs_archive" ("created_at")`);

    await q.query(
      `CREATE TABLE "orchestrator"."workflow_node_executions_archive" (LIKE "orchestrator"."workflow_node_executions" INCLUDING DEFAULTS)`,
    );
    await q.query(
      `ALTER TABLE "orchestrator"."workflow_node_executions_archive" ADD CONSTRAINT "PK_workflow_node_executions_archive_id" PRIMARY KEY ("id")`,
    );
    // Serves reading an archived run's node runs in start order, and deleting them with their run.
    await q.query(
      `CREATE INDEX "workflow_node_executions_archive_run_index_idx" ON "orchestrator"."workflow_node_executions_archive" ("workflow_run_id", "index")`,
    );

    // A workspace's own retention period; workspaces without a row use DATA_RETENTION_DAYS. The primary key
    // serves the retention job's join and the settings calls.
    await q.query(`
      CREATE TABLE "orchestrator"."workspace_retention" (
        "workspace_id" uuid NOT NULL,
        "retention_days" integer NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_workspace_retention" PRIMARY KEY ("workspace_id")
      )`);
    // Workspaces under legal hold: retention deletes none of their data. The primary key serves the
    // retention job's anti-join.
    await q.query(`
      CREATE TABLE "orchestrator"."legal_holds" (
        "workspace_id" uuid NOT NULL,
        "reason" text,
        "placed_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_legal_holds" PRIMARY KEY ("workspace_id")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "orchestrator"."legal_holds"`);
    await q.query(`DROP TABLE "orchestrator"."workspace_retention"`);
    await q.query(`DROP TABLE "orchestrator"."workflow_node_executions_archive"`);
    await q.query(`DROP TABLE "orchestrator"."workflow_runs_archive"`);
    await q.query(`DROP INDEX "orchestrator"."workflow_runs_created_idx"`);
  }
}
