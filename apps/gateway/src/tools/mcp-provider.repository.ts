import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import type { ToolProviderRow } from './tool-provider.repository';

/** A workspace's MCP providers that another one would clash with, and on what. */
export interface McpConflicts {
  identifier: boolean;
  name: boolean;
  url: boolean;
}

/** The MCP-specific queries of gateway.tool_providers (the rest goes through ToolProviderRepository). */
@Injectable()
export class McpProviderRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The workspace's MCP providers, by display name (as Dify lists them). */
  list(workspaceId: string): Promise<ToolProviderRow[]> {
    return this.db.dataSource.query(
      `SELECT * FROM gateway.tool_providers WHERE workspace_id = $1 AND provider_type = 'mcp' ORDER BY settings->>'name', name`,
      [workspaceId],
    );
  }

  /** The provider `ref` names: its id or its server identifier (Dify's lists answer the latter as `id`). */
  async find(workspaceId: string, ref: string): Promise<ToolProviderRow | undefined> {
    const rows: ToolProviderRow[] = await this.db.dataSource.query(
      `SELECT * FROM gateway.tool_providers WHERE workspace_id = $1 AND provider_type = 'mcp' AND (id::text = $2 OR name = $2)
       ORDER BY (id::text = $2) DESC LIMIT 1`,
      [workspaceId, ref],
    );
    return rows[0];
  }

  /** What an MCP provider with these values would clash with in the workspace, besides the provider `exceptId`. */
  async conflicts(
    workspaceId: string,
    values: { identifier: string; name: string; urlHash: string },
    exceptId: string | null = null,
  ): Promise<McpConflicts> {
    const rows: { identifier: boolean; name: boolean; url: boolean }[] = await this.db.dataSource.query(
      `SELECT coalesce(bool_or(name = $2), false) AS identifier,
              coalesce(bool_or(settings->>'name' = $3), false) AS name,
              coalesce(bool_or(settings->>'server_url_hash' = $4), false) AS url
       FROM gateway.tool_providers
       WHERE workspace_id = $1 AND provider_type = 'mcp' AND ($5::uuid IS NULL OR id <> $5::uuid)
         AND (name = $2 OR settings->>'name' = $3 OR settings->>'server_url_hash' = $4)`,
      [workspaceId, values.identifier, values.name, values.urlHash, exceptId],
    );
    return rows[0] ?? { identifier: false, name: false, url: false };
  }

  /** Stores a fresh tool list (and the transport that answered), marking the provider listed. */
  async saveTools(workspaceId: string, id: string, tools: unknown[], transport: string): Promise<ToolProviderRow | undefined> {
    const rows: [ToolProviderRow[], number] = await this.db.dataSource.query(
      `UPDATE gateway.tool_providers
       SET settings = settings || jsonb_build_object('tools', $3::jsonb, 'transport', $4::text, 'authed', true), updated_at = now()
       WHERE workspace_id = $1 AND id = $2 AND provider_type = 'mcp' RETURNING *`,
      [workspaceId, id, JSON.stringify(tools), transport],
    );
    return rows[0][0];
  }
}
