import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GDPR requests: data export jobs, erasure sagas with one row per step, and legal holds. None of these
 * rows holds a person's email, name or content: accounts appear by id, and an end user's `user` string is
 * kept only while its erasure runs (then only its hash).
 */
export class CreatePrivacyRequests1764560000000 implements MigrationInterface {
  name = 'CreatePrivacyRequests1764560000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "compliance"."data_exports" (
        "id" uuid NOT NULL,
        "account_id" uuid NOT NULL,
        "workspace_ids" jsonb NOT NULL DEFAULT '[]',
        "status" text NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "error" text,
        "token_hash" text NOT NULL,
        "storage_key" text,
        "sealed_key" text,
        "size" bigint,
        "lease_owner" text,
        "lease_expires_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "started_at" TIMESTAMP WITH TIME ZONE,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "downloaded_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_data_exports_id" PRIMARY KEY ("id")
      )`);
    // Serves claiming the next export to build (pending, or running under an expired lease) and finding archives to purge.
    await q.query(`CREATE INDEX "data_exports_status_idx" ON "compliance"."data_exports" ("status", "lease_expires_at")`);
    // Serves an account's erasure removing its exports' archives.
    await q.query(`CREATE INDEX "data_exports_account_idx" ON "compliance"."data_exports" ("account_id")`);

    await q.query(`
      CREATE TABLE "compliance"."erasure_requests" (
        "id" uuid NOT NULL,
        "subject_type" text NOT NULL,
        "account_id" uuid,
        "workspace_id" uuid,
        "app_id" uuid,
        "end_user" text,
        "end_user_hash" text,
        "requested_by" uuid NOT NULL,
        "requested_in" uuid NOT NULL,
        "workspace_ids" jsonb NOT NULL DEFAULT '[]',
        "delete_workspace_ids" jsonb NOT NULL DEFAULT '[]',
        "delete_documents" boolean NOT NULL DEFAULT false,
        "status" text NOT NULL,
        "error" text,
        "status_token_hash" text,
        "lease_owner" text,
        "lease_expires_at" TIMESTAMP WITH TIME ZONE,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_erasure_requests_id" PRIMARY KEY ("id")
      )`);
    // Serves claiming the next saga to drive (pending, or running under an expired lease, due for its next attempt).
    await q.query(`CREATE INDEX "erasure_requests_status_idx" ON "compliance"."erasure_requests" ("status", "next_attempt_at")`);
    await q.query(`
      CREATE TABLE "compliance"."erasure_steps" (
        "request_id" uuid NOT NULL,
        "service" text NOT NULL,
        "position" integer NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "last_error" text,
        "counts" jsonb,
        "completed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_erasure_steps_request_id_service" PRIMARY KEY ("request_id", "service")
      )`);

    await q.query(`
      CREATE TABLE "compliance"."legal_holds" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "account_id" uuid,
        "reason" text NOT NULL,
        "placed_by" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "released_at" TIMESTAMP WITH TIME ZONE,
        "released_by" uuid,
        CONSTRAINT "PK_legal_holds_id" PRIMARY KEY ("id")
      )`);
    // Serves listing a workspace's holds and checking whether a workspace is under one before an erasure.
    await q.query(`CREATE INDEX "legal_holds_workspace_idx" ON "compliance"."legal_holds" ("workspace_id", "released_at")`);
    // Serves checking whether an account is under a hold (placed from any of its workspaces) before its erasure.
    await q.query(`CREATE INDEX "legal_holds_account_idx" ON "compliance"."legal_holds" ("account_id", "released_at")`);

    // Serve a data export's audit section: an account's own records across workspaces, as actor and as the
    // resource acted on, in chain order.
    await q.query(`CREATE INDEX "audit_events_actor_seq_idx" ON "compliance"."audit_events" ("actor_type", "actor_id", "seq")`);
    await q.query(`CREATE INDEX "audit_events_resource_seq_idx" ON "compliance"."audit_events" ("resource_type", "resource_id", "seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "compliance"."audit_events_resource_seq_idx"`);
    await q.query(`DROP INDEX "compliance"."audit_events_actor_seq_idx"`);
    await q.query(`DROP TABLE "compliance"."legal_holds"`);
    await q.query(`DROP TABLE "compliance"."erasure_steps"`);
    await q.query(`DROP TABLE "compliance"."erasure_requests"`);
    await q.query(`DROP TABLE "compliance"."data_exports"`);
  }
}
