import { Injectable } from '@nestjs/common';
import type { ToolProviderKind } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';

/** One stored tool provider row. */
export interface ToolProviderRow {
  id: string;
  workspace_id: string;
  provider_type: ToolProviderKind;
  name: string;
  sealed_credentials: string | null;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** A workspace's tool providers (gateway.tool_providers). */
@Injectable()
export class ToolProviderRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Creates or replaces the provider `type:name` of the workspace. */
  async upsert(
    workspaceId: string,
    type: ToolProviderKind,
    name: string,
    values: { sealedCredentials: string | null; settings: Record<string, unknown>; createdBy?: string },
  ): Promise<ToolProviderRow> {
    const rows: ToolProviderRow[] = await this.db.dataSource.query(
      `INSERT INTO gateway.tool_providers (workspace_id, provider_type, name, sealed_credentials, settings, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace_id, provider_type, name)
       DO UPDATE SET sealed_credentials = excluded.sealed_credentials, settings = excluded.settings, updated_at = now()
       RETURNING *`,
      [workspaceId, type, name, values.sealedCredentials, JSON.stringify(values.settings), values.createdBy ?? null],
    );
    return rows[0];
  }

  /** Creates the provider; false when the workspace already has one of that type and name. */
  async insert(
    workspaceId: string,
    type: ToolProviderKind,
    name: string,
    values: { sealedCredentials: string | null; settings: Record<string, unknown>; createdBy?: string },
  ): Promise<ToolProviderRow | undefined> {
    const rows: ToolProviderRow[] = await this.db.dataSource.query(
      `INSERT INTO gateway.tool_providers (workspace_id, provider_type, name, sealed_credentials, settings, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace_id, provider_type, name) DO NOTHING
       RETURNING *`,
      [workspaceId, type, name, values.sealedCredentials, JSON.stringify(values.settings), values.createdBy ?? null],
    );
    return rows[0];
  }

  /** Changes a provider by id (name, secrets, settings), within its workspace; false when absent or the new name is taken. */
  async update(
    workspaceId: string,
    id: string,
    values: { name: string; sealedCredentials: string | null; settings: Record<string, unknown> },
  ): Promise<ToolProviderRow | undefined> {
    try {
      const rows: [ToolProviderRow[], number] = await this.db.dataSource.query(
        `UPDATE gateway.tool_providers SET name = $3, sealed_credentials = $4, settings = $5, updated_at = now()
         WHERE workspace_id = $1 AND id = $2 RETURNING *`,
        [workspaceId, id, values.name, values.sealedCredentials, JSON.stringify(values.settings)],
      );
      return rows[0][0];
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return undefined;
      throw error;
    }
  }

  async find(workspaceId: string, type: ToolProviderKind, name: string): Promise<ToolProviderRow | undefined> {
    const rows: ToolProviderRow[] = await this.db.dataSource.query(
      `SELECT * FROM gateway.tool_providers WHERE workspace_id = $1 AND provider_type = $2 AND name = $3`,
      [workspaceId, type, name],
    );
    return rows[0];
  }

  async findById(workspaceId: string, id: string): Promise<ToolProviderRow | undefined> {
    const rows: ToolProviderRow[] = await this.db.dataSource.query(
      `SELECT * FROM gateway.tool_providers WHERE workspace_id = $1 AND id::text = $2`,
      [workspaceId, id],
    );
    return rows[0];
  }

  async list(workspaceId: string, type?: ToolProviderKind): Promise<ToolProviderRow[]> {
    return this.db.dataSource.query(
      `SELECT * FROM gateway.tool_providers WHERE workspace_id = $1 AND ($2::text IS NULL OR provider_type = $2) ORDER BY provider_type, name`,
      [workspaceId, type ?? null],
    );
  }

  /** Deletes the provider; false when the workspace has none by that type and name. */
  async delete(workspaceId: string, type: ToolProviderKind, name: string): Promise<boolean> {
    const result: [unknown[], number] = await this.db.dataSource.query(
      `DELETE FROM gateway.tool_providers WHERE workspace_id = $1 AND provider_type = $2 AND name = $3`,
      [workspaceId, type, name],
    );
    return result[1] > 0;
  }
}
