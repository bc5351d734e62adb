import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateVerificationCodes1764800000000 implements MigrationInterface {
  name = 'CreateVerificationCodes1764800000000';

  async up(q: QueryRunner): Promise<void> {
    // Codes mailed for sign-up and password reset, and the tokens that go with them, both hashed.
    await q.query(`
      CREATE TABLE "gateway"."verification_codes" (
        "id" uuid NOT NULL,
        "purpose" text NOT NULL,
        "email" text NOT NULL,
        "account_id" uuid,
        "name" text,
        "password_hash" text,
        "token_hash" text NOT NULL,
        "code_hash" text NOT NULL,
        "phase" text NOT NULL DEFAULT 'code',
        "attempts" integer NOT NULL DEFAULT 0,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_verification_codes_id" PRIMARY KEY ("id")
      )`);
    // Serves checking a code and spending a token, both found by the token.
    await q.query(`CREATE UNIQUE INDEX "verification_codes_token_hash_key" ON "gateway"."verification_codes" ("token_hash")`);
    // Serves counting the codes sent to an address in the last hour, retiring its older codes when a new one
    // is sent, and deleting an erased account's codes.
    await q.query(
      `CREATE INDEX "verification_codes_email_purpose_idx" ON "gateway"."verification_codes" ("email", "purpose", "created_at")`,
    );
    // Serves deleting codes a day old, whatever their address.
    await q.query(`CREATE INDEX "verification_codes_created_idx" ON "gateway"."verification_codes" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."verification_codes"`);
  }
}
