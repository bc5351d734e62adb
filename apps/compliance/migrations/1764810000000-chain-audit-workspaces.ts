import { MigrationInterface, QueryRunner } from 'typeorm';
import { GENESIS_HASH, workspaceLinkHash } from '../src/audit/audit-chain.util';

const PAGE = 5000;

/**
 * A chain per workspace beside the global one, so a workspace's admins can verify their own records without
 * seeing the platform's (docs/security.md, "Audit trail verification"). Each record of a workspace gets its
 * place in the workspace's chain (`workspace_seq`: 1, 2, 3… over the workspace's records), the workspace hash
 * of the workspace's record before it (`workspace_prev_hash`) and its own (`workspace_hash`, over its global
 * hash and that place: audit-chain.util.ts, workspaceLinkHash). One head row per workspace says where its
 * chain begins and ends; it is sealed like the global head, but a migration has no keys, so the heads made
 * here are sealed by the compliance service at its first start after the upgrade
 * (`audit_chain_head.workspace_heads_pending`). Records stored before are chained in global order; a trail
 * already pruned starts each workspace's chain at its first kept record.
 */
export class ChainAuditWorkspaces1764810000000 implements MigrationInterface {
  name = 'ChainAuditWorkspaces1764810000000';

  async up(q: QueryRunner): Promise<void> {
    // Appends of an older replica wait here, then fail the check below and are redelivered to a new one.
    await q.query(`SELECT 1 FROM "compliance"."audit_chain_head" WHERE "id" = 1 FOR UPDATE`);
    await q.query(
      `ALTER TABLE "compliance"."audit_events" ADD "workspace_seq" bigint, ADD "workspace_prev_hash" text, ADD "workspace_hash" text`,
    );
    await q.query(`
      CREATE TABLE "compliance"."audit_workspace_heads" (
        "workspace_id" text NOT NULL,
        "first_seq" bigint NOT NULL,
        "first_prev_hash" text NOT NULL,
        "last_seq" bigint NOT NULL,
        "last_hash" text NOT NULL,
        "seal" text,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_audit_workspace_heads_workspace_id" PRIMARY KEY ("workspace_id")
      )`);
    await q.query(`ALTER TABLE "compliance"."audit_chain_head" ADD "workspace_heads_pending" boolean NOT NULL DEFAULT false`);

    const heads = new Map<string, { hash: string; seq: number }>();
    await q.query(`ALTER TABLE "compliance"."audit_events" DISABLE TRIGGER "audit_events_append_only"`);
    let after = 0;
    for (;;) {
      const rows = (await q.query(
        `SELECT "id", "seq", "workspace_id", "hash" FROM "compliance"."audit_events"
          WHERE "workspace_id" IS NOT NULL AND "seq" > $1 ORDER BY "seq" LIMIT ${PAGE}`,
        [after],
      )) as { hash: string; id: string; seq: string; workspace_id: string }[];
      if (rows.length === 0) break;
      const ids: string[] = [];
      const seqs: number[] = [];
      const prevHashes: string[] = [];
      const hashes: string[] = [];
      for (const r of rows) {
        const previous = heads.get(r.workspace_id) ?? { hash: GENESIS_HASH, seq: 0 };
        const link = { hash: r.hash, workspaceId: r.workspace_id, workspacePrevHash: previous.hash, workspaceSeq: previous.seq + 1 };
        const hash = workspaceLinkHash(link);
        ids.push(r.id);
        seqs.push(link.workspaceSeq);
        prevHashes.push(link.workspacePrevHash);
        hashes.push(hash);
        heads.set(r.workspace_id, { hash, seq: link.workspaceSeq });
      }
      await q.query(
        `UPDATE "compliance"."audit_events" e SET "workspace_seq" = u.seq, "workspace_prev_hash" = u.prev_hash, "workspace_hash" = u.hash
           FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) AS u(id, seq, prev_hash, hash) WHERE e."id" = u.id`,
        [ids, seqs, prevHashes, hashes],
      );
      after = Number(rows[rows.length - 1]!.seq);
    }
    await q.query(`ALTER TABLE "compliance"."audit_events" ENABLE TRIGGER "audit_events_append_only"`);
    for (const [workspaceId, head] of heads) {
      await q.query(
        `INSERT INTO "compliance"."audit_workspace_heads" ("workspace_id", "first_seq", "first_prev_hash", "last_seq", "last_hash") VALUES ($1, 1, $2, $3, $4)`,
        [workspaceId, GENESIS_HASH, head.seq, head.hash],
      );
    }
    if (heads.size > 0) await q.query(`UPDATE "compliance"."audit_chain_head" SET "workspace_heads_pending" = true WHERE "id" = 1`);

    // A record of a workspace carries its whole workspace link, one of no workspace none of it (an older
    // replica's insert without the link fails here instead of leaving a gap in its workspace's chain).
    await q.query(`
      ALTER TABLE "compliance"."audit_events" ADD CONSTRAINT "CHK_audit_events_workspace_link" CHECK (
        ("workspace_id" IS NULL AND "workspace_seq" IS NULL AND "workspace_prev_hash" IS NULL AND "workspace_hash" IS NULL)
        OR ("workspace_id" IS NOT NULL AND "workspace_seq" IS NOT NULL AND "workspace_prev_hash" IS NOT NULL AND "workspace_hash" IS NOT NULL)
      )`);
    // Serves audit.verify.workspace.v1, which walks one workspace's records by workspace_seq in keyset pages,
    // and appending (one workspace's numbering stays unique).
    await q.query(`CREATE UNIQUE INDEX "audit_events_workspace_seq_key" ON "compliance"."audit_events" ("workspace_id", "workspace_seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "compliance"."audit_events_workspace_seq_key"`);
    await q.query(`ALTER TABLE "compliance"."audit_events" DROP CONSTRAINT "CHK_audit_events_workspace_link"`);
    await q.query(`ALTER TABLE "compliance"."audit_chain_head" DROP COLUMN "workspace_heads_pending"`);
    await q.query(`DROP TABLE "compliance"."audit_workspace_heads"`);
    await q.query(
      `ALTER TABLE "compliance"."audit_events" DROP COLUMN "workspace_hash", DROP COLUMN "workspace_prev_hash", DROP COLUMN "workspace_seq"`,
    );
  }
}
