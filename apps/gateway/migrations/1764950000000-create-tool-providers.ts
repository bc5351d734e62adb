import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A workspace's tool providers: credentials of built-in providers that need an account (Tavily, ...),
 * custom OpenAPI providers and MCP servers. Secrets (API keys, auth headers) are sealed, bound to the row
 * (`tool-provider|<workspace>|<type>:<name>`); the rest is plain settings.
 */
export class CreateToolProviders1764950000000 implements MigrationInterface {
  name = 'CreateToolProviders1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "gateway"."tool_providers" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "workspace_id" uuid NOT NULL,
        "provider_type" text NOT NULL,
        "name" text NOT NULL,
        "sealed_credentials" text,
        "settings" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_by" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_tool_providers_id" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_tool_providers_type" CHECK ("provider_type" IN ('builtin', 'api', 'mcp')),
        CONSTRAINT "UQ_tool_providers_workspace_type_name" UNIQUE ("workspace_id", "provider_type", "name")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."tool_providers"`);
  }
}
