import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The keys of export archives are sealed bound to their export (`v2`, export and account id as AES-GCM
 * associated data). From here on no key of the old unbound format (`v1`) may be written: an older
 * compliance service still running during the roll-out fails that export (it is retried) rather than
 * store a key the gateway refuses. `NOT VALID` keeps the rows stored before; they are re-sealed bound to
 * their exports at the next start (a migration has no keys) or by `npm run secrets:rotate`.
 */
export class BindSealedExportKeys1764800000000 implements MigrationInterface {
  name = 'BindSealedExportKeys1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "compliance"."data_exports" ADD CONSTRAINT "CHK_data_exports_bound_key" CHECK ("sealed_key" IS NULL OR "sealed_key" NOT LIKE 'v1:%') NOT VALID`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "compliance"."data_exports" DROP CONSTRAINT "CHK_data_exports_bound_key"`);
  }
}
