import { MigrationInterface, QueryRunner } from 'typeorm';
import { GENESIS_HASH, recordHash } from '../src/audit/audit-chain.util';

interface ExistingRow {
  action: string;
  actor_id: string | null;
  actor_type: string;
  correlation_id: string | null;
  details: Record<string, unknown>;
  id: string;
  ip: string | null;
  occurred_at: Date;
  outcome: string;
  received_at: Date;
  resource_id: string | null;
  resource_type: string;
  service: string;
  user_agent: string | null;
  workspace_id: string | null;
}

/**
 * Turns the audit trail into a hash chain: each record gets a sequence number, the previous record's hash
 * and its own (audit-chain.util.ts, format version 1, which must never change). One head row serializes
 * appends across replicas; checkpoints say where the kept part of the chain begins after pruning. Rows
 * stored before this migration are chained in the order they were received.
 */
export class ChainAuditEvents1764530000000 implements MigrationInterface {
  name = 'ChainAuditEvents1764530000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "compliance"."audit_events" ADD "seq" bigint, ADD "prev_hash" text, ADD "hash" text`);
    const rows = (await q.query(`SELECT * FROM "compliance"."audit_events" ORDER BY "received_at", "occurred_at", "id"`)) as ExistingRow[];
    let prevHash = GENESIS_HASH;
    let seq = 0;
    for (const r of rows) {
      seq += 1;
      const hash = recordHash({
        action: r.action,
        actorId: r.actor_id,
        actorType: r.actor_type,
        correlationId: r.correlation_id,
        details: r.details,
        id: r.id,
        ip: r.ip,
        occurredAt: r.occurred_at,
        outcome: r.outcome,
        prevHash,
        // Stored with microseconds by now(); the chain covers the millisecond value JavaScript reads back.
        receivedAt: new Date(r.received_at.getTime()),
        resourceId: r.resource_id,
        resourceType: r.resource_type,
        seq,
        service: r.service,
        userAgent: r.user_agent,
        workspaceId: r.workspace_id,
      });
      await q.query(
        `UPDATE "compliance"."audit_events" SET "seq" = $2, "prev_hash" = $3, "hash" = $4, "received_at" = $5 WHERE "id" = $1`,
        [r.id, seq, prevHash, hash, new Date(r.received_at.getTime())],
      );
      prevHash = hash;
    }
    await q.query(
      `ALTER TABLE "compliance"."audit_events" ALTER "seq" SET NOT NULL, ALTER "prev_hash" SET NOT NULL, ALTER "hash" SET NOT NULL`,
    );

    await q.query(`
      CREATE TABLE "compliance"."audit_chain_head" (
        "id" smallint NOT NULL,
        "last_seq" bigint NOT NULL,
        "last_hash" text NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_audit_chain_head_id" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_audit_chain_head_single" CHECK ("id" = 1)
      )`);
    await q.query(`INSERT INTO "compliance"."audit_chain_head" ("id", "last_seq", "last_hash") VALUES (1, $1, $2)`, [seq, prevHash]);

    await q.query(`
      CREATE TABLE "compliance"."audit_checkpoints" (
        "seq" bigint NOT NULL,
        "prev_hash" text NOT NULL,
        "pruned_count" bigint NOT NULL,
        "cutoff" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_audit_checkpoints_seq" PRIMARY KEY ("seq")
      )`);

    // Serves the chain walk of audit.verify.v1 (keyset pages by seq) and pruning (the oldest records by seq); also keeps seq unique.
    await q.query(`CREATE UNIQUE INDEX "audit_events_seq_key" ON "compliance"."audit_events" ("seq")`);
    // Serves audit.logs.v1 without filters and with start/end only: one workspace's records by time, newest
    // first, seq breaking ties for the cursor.
    await q.query(`DROP INDEX "compliance"."audit_events_workspace_occurred_idx"`);
    await q.query(
      `CREATE INDEX "audit_events_workspace_occurred_idx" ON "compliance"."audit_events" ("workspace_id", "occurred_at", "seq")`,
    );
    // Serves audit.logs.v1 filtered by actor (actor_type, optionally actor_id), with or without a time range.
    await q.query(
      `CREATE INDEX "audit_events_workspace_actor_idx" ON "compliance"."audit_events" ("workspace_id", "actor_type", "actor_id", "occurred_at", "seq")`,
    );
    // Serves audit.logs.v1 filtered by action, with or without a time range.
    await q.query(
      `CREATE INDEX "audit_events_workspace_action_idx" ON "compliance"."audit_events" ("workspace_id", "action", "occurred_at", "seq")`,
    );
    // Serves audit.logs.v1 filtered by resource (resource_type, optionally resource_id), with or without a time range.
    await q.query(
      `CREATE INDEX "audit_events_workspace_resource_idx" ON "compliance"."audit_events" ("workspace_id", "resource_type", "resource_id", "occurred_at", "seq")`,
    );

    // Append-only: updates are refused, and deletes too unless the retention job says it is pruning. This
    // stops mistakes and ordinary writers; someone able to disable the trigger is caught by the hash chain.
    await q.query(`
      CREATE FUNCTION "compliance"."audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('weft.audit_pruning', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'compliance.audit_events is append-only: % refused', TG_OP;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "compliance"."audit_events"
      FOR EACH ROW EXECUTE FUNCTION "compliance"."audit_events_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "audit_events_append_only" ON "compliance"."audit_events"`);
    await q.query(`DROP FUNCTION "compliance"."audit_events_append_only"()`);
    await q.query(`DROP INDEX "compliance"."audit_events_workspace_resource_idx"`);
    await q.query(`DROP INDEX "compliance"."audit_events_workspace_action_idx"`);
    await q.query(`DROP INDEX "compliance"."audit_events_workspace_actor_idx"`);
    await q.query(`DROP INDEX "compliance"."audit_events_workspace_occurred_idx"`);
    await q.query(`CREATE INDEX "audit_events_workspace_occurred_idx" ON "compliance"."audit_events" ("workspace_id", "occurred_at")`);
    await q.query(`DROP INDEX "compliance"."audit_events_seq_key"`);
    await q.query(`DROP TABLE "compliance"."audit_checkpoints"`);
    await q.query(`DROP TABLE "compliance"."audit_chain_head"`);
    await q.query(`ALTER TABLE "compliance"."audit_events" DROP COLUMN "hash", DROP COLUMN "prev_hash", DROP COLUMN "seq"`);
  }
}
