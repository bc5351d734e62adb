import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An MCP server is added once per workspace, as Dify holds it: by display name and by URL (its SHA-256,
 * since the URL itself is sealed), besides its server identifier (the row's name, already unique). These
 * indexes enforce it when two admins add the same server at once, and serve the duplicate check that
 * runs before (McpProviderRepository.conflicts: workspace, type mcp, name or URL hash).
 */
export class AddMcpProviderUniqueness1764967000000 implements MigrationInterface {
  name = 'AddMcpProviderUniqueness1764967000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX "UQ_tool_providers_mcp_name" ON "gateway"."tool_providers" ("workspace_id", ("settings"->>'name')) WHERE "provider_type" = 'mcp'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_tool_providers_mcp_url" ON "gateway"."tool_providers" ("workspace_id", ("settings"->>'server_url_hash')) WHERE "provider_type" = 'mcp'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "gateway"."UQ_tool_providers_mcp_url"`);
    await q.query(`DROP INDEX "gateway"."UQ_tool_providers_mcp_name"`);
  }
}
