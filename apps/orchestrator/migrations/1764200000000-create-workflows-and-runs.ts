import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWorkflowsAndRuns1764200000000 implements MigrationInterface {
  name = 'CreateWorkflowsAndRuns1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "orchestrator"."workflows" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "version" text NOT NULL,
        "document" jsonb NOT NULL,
        "created_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_workflows_id" PRIMARY KEY ("id")
      )`);
    // Serves loading an app's draft or a named version, and keeps one draft per app.
    await q.query(`CREATE UNIQUE INDEX "workflows_app_version_key" ON "orchestrator"."workflows" ("workspace_id", "app_id", "version")`);

    await q.query(`
      CREATE TABLE "orchestrator"."workflow_runs" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "workflow_id" uuid NOT NULL,
        "task_id" uuid NOT NULL,
        "version" text NOT NULL,
        "triggered_from" text NOT NULL,
        "created_from" text NOT NULL,
        "inputs" jsonb NOT NULL,
        "files" jsonb NOT NULL,
        "status" text NOT NULL,
        "outputs" jsonb,
        "error" text,
        "elapsed_time" double precision NOT NULL DEFAULT 0,
        "total_tokens" bigint NOT NULL DEFAULT 0,
        "total_steps" integer NOT NULL DEFAULT 0,
        "exceptions_count" integer NOT NULL DEFAULT 0,
        "created_by_role" text NOT NULL,
        "created_by_account_id" text,
        "created_by_end_user_id" text,
        "created_by_end_user_session_id" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "lease_owner" text,
        "lease_expires_at" TIMESTAMP WITH TIME ZONE,
        "stop_requested" boolean NOT NULL DEFAULT false,
        CONSTRAINT "PK_workflow_runs_id" PRIMARY KEY ("id")
      )`);
    // Serves GET /workflows/logs: one app's runs, newest first, paged.
    await q.query(
      `CREATE INDEX "workflow_runs_app_created_idx" ON "orchestrator"."workflow_runs" ("workspace_id", "app_id", "created_at", "id")`,
    );
    // Serves the stop call, which names a run by its task id.
    await q.query(`CREATE INDEX "workflow_runs_task_idx" ON "orchestrator"."workflow_runs" ("task_id")`);
    // Serves the lease sweeper: running runs whose lease has expired.
    await q.query(`CREATE INDEX "workflow_runs_status_lease_idx" ON "orchestrator"."workflow_runs" ("status", "lease_expires_at")`);

    await q.query(`
      CREATE TABLE "orchestrator"."workflow_node_executions" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "workflow_id" uuid NOT NULL,
        "workflow_run_id" uuid NOT NULL,
        "index" integer NOT NULL,
        "predecessor_node_id" text,
        "node_id" text NOT NULL,
        "node_type" text NOT NULL,
        "title" text NOT NULL,
        "inputs" jsonb,
        "process_data" jsonb,
        "outputs" jsonb,
        "status" text NOT NULL,
        "error" text,
        "edge_source_handle" text,
        "elapsed_time" double precision NOT NULL DEFAULT 0,
        "execution_metadata" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_workflow_node_executions_id" PRIMARY KEY ("id")
      )`);
    // Serves loading a run's node executions in start order (resume, event replay).
    await q.query(
      `CREATE INDEX "workflow_node_executions_run_index_idx" ON "orchestrator"."workflow_node_executions" ("workflow_run_id", "index")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "orchestrator"."workflow_node_executions"`);
    await q.query(`DROP TABLE "orchestrator"."workflow_runs"`);
    await q.query(`DROP TABLE "orchestrator"."workflows"`);
  }
}
