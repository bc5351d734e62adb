import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Seals for the audit chain's anchors (audit-seal.util.ts): the head row and each retention checkpoint get
 * a `seal`, an HMAC under a key derived from the encryption keyring. Rows from before are left unsealed
 * here (a migration has no keys); the compliance service seals them at its next start and says so in its
 * log and in the trail (`audit.chain.sealed`).
 */
export class SealAuditAnchors1764620000000 implements MigrationInterface {
  name = 'SealAuditAnchors1764620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "compliance"."audit_chain_head" ADD "seal" text`);
    await q.query(`ALTER TABLE "compliance"."audit_checkpoints" ADD "seal" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "compliance"."audit_checkpoints" DROP COLUMN "seal"`);
    await q.query(`ALTER TABLE "compliance"."audit_chain_head" DROP COLUMN "seal"`);
  }
}
