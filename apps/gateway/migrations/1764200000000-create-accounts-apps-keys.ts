import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccountsAppsKeys1764200000000 implements MigrationInterface {
  name = 'CreateAccountsAppsKeys1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "gateway"."accounts" (
        "id" uuid NOT NULL,
        "email" text NOT NULL,
        "name" text NOT NULL,
        "password_hash" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_accounts_id" PRIMARY KEY ("id")
      )`);
    // Serves login by email, and keeps emails unique.
    await q.query(`CREATE UNIQUE INDEX "accounts_email_key" ON "gateway"."accounts" ("email")`);
    await q.query(`
      CREATE TABLE "gateway"."workspaces" (
        "id" uuid NOT NULL,
        "name" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_workspaces_id" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "gateway"."workspace_members" (
        "workspace_id" uuid NOT NULL,
        "account_id" uuid NOT NULL,
        "role" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_workspace_members" PRIMARY KEY ("workspace_id", "account_id")
      )`);
    // Serves finding an account's workspaces at login.
    await q.query(`CREATE INDEX "workspace_members_account_idx" ON "gateway"."workspace_members" ("account_id")`);
    await q.query(`
      CREATE TABLE "gateway"."apps" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "name" text NOT NULL,
        "mode" text NOT NULL,
        "description" text NOT NULL,
        "icon" text NOT NULL,
        "icon_type" text NOT NULL,
        "icon_background" text NOT NULL,
        "use_icon_as_answer_icon" boolean NOT NULL DEFAULT false,
        "enable_api" boolean NOT NULL DEFAULT true,
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_apps_id" PRIMARY KEY ("id")
      )`);
    // Serves listing a workspace's apps, newest first.
    await q.query(`CREATE INDEX "apps_workspace_created_idx" ON "gateway"."apps" ("workspace_id", "created_at")`);
    await q.query(`
      CREATE TABLE "gateway"."api_keys" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid,
        "type" text NOT NULL,
        "token_hash" text NOT NULL,
        "token_hint" text NOT NULL,
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_used_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_api_keys_id" PRIMARY KEY ("id")
      )`);
    // Serves authenticating a Service API call by the hash of its key.
    await q.query(`CREATE UNIQUE INDEX "api_keys_token_hash_key" ON "gateway"."api_keys" ("token_hash")`);
    // Serves listing an app's keys.
    await q.query(`CREATE INDEX "api_keys_workspace_app_idx" ON "gateway"."api_keys" ("workspace_id", "app_id")`);
    await q.query(`
      CREATE TABLE "gateway"."end_users" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "app_id" uuid NOT NULL,
        "session_id" text NOT NULL,
        "type" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_end_users_id" PRIMARY KEY ("id")
      )`);
    // Serves finding (or creating once) the end user behind an app's `user` string.
    await q.query(`CREATE UNIQUE INDEX "end_users_app_session_key" ON "gateway"."end_users" ("app_id", "session_id")`);
    await q.query(`
      CREATE TABLE "gateway"."upload_files" (
        "id" uuid NOT NULL,
        "workspace_id" uuid NOT NULL,
        "storage_key" text NOT NULL,
        "name" text NOT NULL,
        "size" bigint NOT NULL,
        "extension" text NOT NULL,
        "mime_type" text NOT NULL,
        "created_by_role" text NOT NULL,
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_upload_files_id" PRIMARY KEY ("id")
      )`);
    // Serves listing a workspace's uploads (retention, GDPR export).
    await q.query(`CREATE INDEX "upload_files_workspace_idx" ON "gateway"."upload_files" ("workspace_id", "created_at")`);
    await q.query(`
      CREATE TABLE "gateway"."provider_credentials" (
        "workspace_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "sealed_credentials" text NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_provider_credentials" PRIMARY KEY ("workspace_id", "provider")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'provider_credentials',
      'upload_files',
      'end_users',
      'api_keys',
      'apps',
      'workspace_members',
      'workspaces',
      'accounts',
    ]) {
      await q.query(`DROP TABLE "gateway"."${table}"`);
    }
  }
}
