import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessionsAndInvitations1764500000000 implements MigrationInterface {
  name = 'CreateSessionsAndInvitations1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "gateway"."accounts" ADD "status" text NOT NULL DEFAULT 'active'`);
    await q.query(`ALTER TABLE "gateway"."accounts" ADD "last_login_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "gateway"."accounts" ADD "last_login_ip" text`);
    await q.query(`ALTER TABLE "gateway"."workspace_members" ADD "invited_by" uuid`);
    // A login: one family of refresh tokens. Revoking it (logout, reuse of a spent refresh token) ends
    // every token of the family, access tokens included, since they carry the session id.
    await q.query(`
      CREATE TABLE "gateway"."auth_sessions" (
        "id" uuid NOT NULL,
        "account_id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "ip" text,
        "user_agent" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "revoked_reason" text,
        CONSTRAINT "PK_auth_sessions_id" PRIMARY KEY ("id")
      )`);
    // Serves revoking every session of an account (password change, erasure, removal from a workspace).
    await q.query(`CREATE INDEX "auth_sessions_account_idx" ON "gateway"."auth_sessions" ("account_id")`);
    await q.query(`
      CREATE TABLE "gateway"."refresh_tokens" (
        "token_hash" text NOT NULL,
        "session_id" uuid NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_refresh_tokens_token_hash" PRIMARY KEY ("token_hash")
      )`);
    // Serves pruning a session's tokens.
    await q.query(`CREATE INDEX "refresh_tokens_session_idx" ON "gateway"."refresh_tokens" ("session_id")`);
    await q.query(`
      CREATE TABLE "gateway"."invitations" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "email" text NOT NULL,
        "role" text NOT NULL,
        "token_hash" text NOT NULL,
        "invited_by" uuid NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "accepted_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_invitations_id" PRIMARY KEY ("id")
      )`);
    // Serves activating an invitation by its token.
    await q.query(`CREATE UNIQUE INDEX "invitations_token_hash_key" ON "gateway"."invitations" ("token_hash")`);
    // Serves listing a workspace's pending invitations with its members.
    await q.query(`CREATE INDEX "invitations_workspace_email_idx" ON "gateway"."invitations" ("workspace_id", "email")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."invitations"`);
    await q.query(`DROP TABLE "gateway"."refresh_tokens"`);
    await q.query(`DROP TABLE "gateway"."auth_sessions"`);
    await q.query(`ALTER TABLE "gateway"."workspace_members" DROP COLUMN "invited_by"`);
    await q.query(`ALTER TABLE "gateway"."accounts" DROP COLUMN "last_login_ip"`);
    await q.query(`ALTER TABLE "gateway"."accounts" DROP COLUMN "last_login_at"`);
    await q.query(`ALTER TABLE "gateway"."accounts" DROP COLUMN "status"`);
  }
}
