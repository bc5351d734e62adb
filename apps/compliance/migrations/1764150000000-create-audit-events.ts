import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditEvents1764150000000 implements MigrationInterface {
  name = 'CreateAuditEvents1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "compliance"."audit_events" (
        "id" uuid NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "service" text NOT NULL,
        "actor_type" text NOT NULL,
        "actor_id" text,
        "workspace_id" text,
        "action" text NOT NULL,
        "resource_type" text NOT NULL,
        "resource_id" text,
        "outcome" text NOT NULL,
        "ip" text,
        "user_agent" text,
        "correlation_id" text,
        "details" jsonb NOT NULL,
        CONSTRAINT "PK_audit_events_id" PRIMARY KEY ("id")
      )`);
    // Serves the audit log listing: one workspace's events, newest first.
    await q.query(`CREATE INDEX "audit_events_workspace_occurred_idx" ON "compliance"."audit_events" ("workspace_id", "occurred_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "compliance"."audit_events"`);
  }
}
