import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provider credentials are sealed bound to their row (`v2`, workspace and provider as AES-GCM associated
 * data). From here on no value of the old unbound format (`v1`) may be written: an older gateway still
 * running during the roll-out fails to save credentials rather than store a value the new ones refuse.
 * `NOT VALID` keeps the rows stored before; they are re-sealed bound to their rows by the gateway at its
 * next start (a migration has no keys) or by `npm run secrets:rotate` (docs/security.md, "Sealed secrets").
 */
export class BindSealedCredentials1764800000001 implements MigrationInterface {
  name = 'BindSealedCredentials1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "gateway"."provider_credentials" ADD CONSTRAINT "CHK_provider_credentials_bound_seal" CHECK ("sealed_credentials" NOT LIKE 'v1:%') NOT VALID`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gateway"."provider_credentials" DROP CONSTRAINT "CHK_provider_credentials_bound_seal"`);
  }
}
