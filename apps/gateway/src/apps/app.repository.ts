import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUuid } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';

/** An app row. */
export interface AppRow {
  createdAt: Date;
  description: string;
  enableApi: boolean;
  icon: string;
  iconBackground: string;
  iconType: string;
  id: string;
  mode: string;
  /** A classic app's model config as imported; null for workflow and advanced-chat apps. */
  modelConfig: Record<string, unknown> | null;
  name: string;
  useIconAsAnswerIcon: boolean;
  workspaceId: string;
}

/** An end user of an app: the Service API's `user` string (`sessionId`) and when it was first seen. */
export interface EndUserRow {
  appId: string;
  createdAt: Date;
  id: string;
  sessionId: string;
  type: string;
  workspaceId: string;
}

/** An API key row (never the token itself). */
export interface ApiKeyRow {
  appId: string | null;
  createdAt: Date;
  id: string;
  lastUsedAt: Date | null;
  tokenHint: string;
  type: string;
  workspaceId: string;
}

/** The hash an API key is stored and found by; keys are random and long, so a plain SHA-256 suffices. */
export function hashApiKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toApp(r: Record<string, unknown>): AppRow {
  return {
    createdAt: new Date(r['created_at'] as string),
    description: r['description'] as string,
    enableApi: r['enable_api'] as boolean,
    icon: r['icon'] as string,
    iconBackground: r['icon_background'] as string,
    iconType: r['icon_type'] as string,
    id: r['id'] as string,
    mode: r['mode'] as string,
    modelConfig: (r['model_config'] as Record<string, unknown> | null) ?? null,
    name: r['name'] as string,
    useIconAsAnswerIcon: r['use_icon_as_answer_icon'] as boolean,
    workspaceId: r['workspace_id'] as string,
  };
}

function toKey(r: Record<string, unknown>): ApiKeyRow {
  return {
    appId: (r['app_id'] as string | null) ?? null,
    createdAt: new Date(r['created_at'] as string),
    id: r['id'] as string,
    lastUsedAt: r['last_used_at'] ? new Date(r['last_used_at'] as string) : null,
    tokenHint: r['token_hint'] as string,
    type: r['type'] as string,
    workspaceId: r['workspace_id'] as string,
  };
}

/** Apps, their API keys and their end users; every query names the workspace. */
@Injectable()
export class AppRepository {
  constructor(private readonly db: DatabaseService) {}

  async create(app: Omit<AppRow, 'createdAt' | 'enableApi'>, createdBy: string | null): Promise<AppRow> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `INSERT INTO gateway.apps (id, workspace_id, name, mode, description, icon, icon_type, icon_background, use_icon_as_answer_icon, created_by, model_config)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        app.id,
        app.workspaceId,
        app.name,
        app.mode,
        app.description,
        app.icon,
        app.iconType,
        app.iconBackground,
        app.useIconAsAnswerIcon,
        createdBy,
        app.modelConfig === null ? null : JSON.stringify(app.modelConfig),
      ],
    );
    return toApp(rows[0]!);
  }

  async find(workspaceId: string, appId: string): Promise<AppRow | null> {
    if (!isUuid(appId)) return null;
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM gateway.apps WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, appId],
    );
    return rows[0] ? toApp(rows[0]) : null;
  }

  async list(workspaceId: string, limit: number, offset: number): Promise<{ apps: AppRow[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(`SELECT * FROM gateway.apps WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3`, [
        workspaceId,
        limit,
        offset,
      ]) as Promise<Record<string, unknown>[]>,
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM gateway.apps WHERE workspace_id = $1`, [workspaceId]) as Promise<
        { total: number }[]
      >,
    ]);
    return { apps: rows.map(toApp), total: count[0]?.total ?? 0 };
  }

  /** Stores a new key by its hash; the caller shows the token once. */
  async createKey(
    workspaceId: string,
    appId: string | null,
    type: 'app' | 'dataset',
    token: string,
    createdBy: string | null,
  ): Promise<ApiKeyRow> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `INSERT INTO gateway.api_keys (id, workspace_id, app_id, type, token_hash, token_hint, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [randomUUID(), workspaceId, appId, type, hashApiKey(token), `${token.slice(0, 8)}…${token.slice(-4)}`, createdBy],
    );
    return toKey(rows[0]!);
  }

  async listKeys(workspaceId: string, appId: string): Promise<ApiKeyRow[]> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM gateway.api_keys WHERE workspace_id = $1 AND app_id = $2 ORDER BY created_at`,
      [workspaceId, appId],
    );
    return rows.map(toKey);
  }

  /** The app key with this token and its app, or null. */
  async findAppByKey(token: string): Promise<{ app: AppRow; keyId: string } | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT a.*, k.id AS key_id FROM gateway.api_keys k JOIN gateway.apps a ON a.id = k.app_id AND a.workspace_id = k.workspace_id
       WHERE k.token_hash = $1 AND k.type = 'app'`,
      [hashApiKey(token)],
    );
    return rows[0] ? { app: toApp(rows[0]), keyId: rows[0]['key_id'] as string } : null;
  }

  /** The dataset key with this token: its workspace and the account that made it, or null. */
  async findDatasetKey(token: string): Promise<{ createdBy: string | null; keyId: string; workspaceId: string } | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT id, workspace_id, created_by FROM gateway.api_keys WHERE token_hash = $1 AND type = 'dataset'`,
      [hashApiKey(token)],
    );
    return rows[0]
      ? {
          createdBy: (rows[0]['created_by'] as string | null) ?? null,
          keyId: rows[0]['id'] as string,
          workspaceId: rows[0]['workspace_id'] as string,
        }
      : null;
  }

  /** A workspace's dataset keys. */
  async listDatasetKeys(workspaceId: string): Promise<ApiKeyRow[]> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM gateway.api_keys WHERE workspace_id = $1 AND type = 'dataset' ORDER BY created_at`,
      [workspaceId],
    );
    return rows.map(toKey);
  }

  /**
   * Deletes an app and what the gateway holds for it (its keys and end users) in one transaction; returns
   * the ids of the keys it had, or null when there was no such app.
   */
  async deleteApp(workspaceId: string, appId: string): Promise<{ keyIds: string[]; deleted: Record<string, number> } | null> {
    return this.db.dataSource.transaction(async (m) => {
      const params = [workspaceId, appId];
      const keys = await this.db.rowsIn<{ id: string }>(
        m,
        `DELETE FROM gateway.api_keys WHERE workspace_id = $1 AND app_id = $2 RETURNING id`,
        params,
      );
      // Counted as `keys`: audit details drop values under key-like names such as api_keys.
      const deleted: Record<string, number> = { keys: keys.length };
      for (const table of ['end_users']) {
        deleted[table] = (
          await this.db.rowsIn(m, `DELETE FROM gateway.${table} WHERE workspace_id = $1 AND app_id = $2 RETURNING 1`, params)
        ).length;
      }
      const apps = await this.db.rowsIn(m, `DELETE FROM gateway.apps WHERE workspace_id = $1 AND id = $2 RETURNING id`, params);
      return apps.length > 0 ? { keyIds: keys.map((k) => k.id), deleted } : null;
    });
  }

  /** Revokes a key of the workspace (of one app, or a dataset key when appId is null); false when there is none. */
  async deleteKey(workspaceId: string, appId: string | null, keyId: string): Promise<boolean> {
    if (!isUuid(keyId)) return false;
    const rows = await this.db.rows<{ id: string }>(
      appId === null
        ? `DELETE FROM gateway.api_keys WHERE id = $1 AND workspace_id = $2 AND type = 'dataset' RETURNING id`
        : `DELETE FROM gateway.api_keys WHERE id = $1 AND workspace_id = $2 AND app_id = $3 AND type = 'app' RETURNING id`,
      appId === null ? [keyId, workspaceId] : [keyId, workspaceId, appId],
    );
    return rows.length > 0;
  }

  /** Records that keys were used, at most once per call for many keys. */
  async touchKeys(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.dataSource.query(`UPDATE gateway.api_keys SET last_used_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The name of the account that created an app (Dify's `author_name`), or null when it is unknown or gone. */
  async authorName(workspaceId: string, appId: string): Promise<string | null> {
    const rows: { name: string }[] = await this.db.dataSource.query(
      `SELECT a.name FROM gateway.apps p JOIN gateway.accounts a ON a.id = p.created_by WHERE p.workspace_id = $1 AND p.id = $2`,
      [workspaceId, appId],
    );
    return rows[0]?.name ?? null;
  }

  /** One end user of one app, by id; null for an end user of another app or workspace. */
  async findEndUser(workspaceId: string, appId: string, endUserId: string): Promise<EndUserRow | null> {
    if (!isUuid(endUserId)) return null;
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT id, workspace_id, app_id, session_id, type, created_at FROM gateway.end_users WHERE workspace_id = $1 AND app_id = $2 AND id = $3`,
      [workspaceId, appId, endUserId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      appId: r['app_id'] as string,
      createdAt: new Date(r['created_at'] as string),
      id: r['id'] as string,
      sessionId: r['session_id'] as string,
      type: r['type'] as string,
      workspaceId: r['workspace_id'] as string,
    };
  }

  /** The session ids (the API's `user` strings) of some end users of an app, by end user id. */
  async endUserSessions(workspaceId: string, appId: string, endUserIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(endUserIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    const rows: { id: string; session_id: string }[] = await this.db.dataSource.query(
      `SELECT id, session_id FROM gateway.end_users WHERE workspace_id = $1 AND app_id = $2 AND id = ANY($3::uuid[])`,
      [workspaceId, appId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.session_id]));
  }

  /** The end user behind an app's `user` string, created the first time it is seen. */
  async endUser(workspaceId: string, appId: string, sessionId: string): Promise<string> {
    const rows: { id: string }[] = await this.db.dataSource.query(
      `INSERT INTO gateway.end_users (id, workspace_id, app_id, session_id, type) VALUES ($1, $2, $3, $4, 'service_api')
       ON CONFLICT (app_id, session_id) DO UPDATE SET session_id = excluded.session_id RETURNING id`,
      [randomUUID(), workspaceId, appId, sessionId],
    );
    return rows[0]!.id;
  }

  /** Stores a provider's sealed credentials for a workspace. */
  async saveProviderCredentials(workspaceId: string, provider: string, sealed: string): Promise<void> {
    await this.db.dataSource.query(
      `INSERT INTO gateway.provider_credentials (workspace_id, provider, sealed_credentials) VALUES ($1, $2, $3)
       ON CONFLICT (workspace_id, provider) DO UPDATE SET sealed_credentials = excluded.sealed_credentials, updated_at = now()`,
      [workspaceId, provider, sealed],
    );
  }

  async providerCredentials(workspaceId: string, provider: string): Promise<string | null> {
    const rows: { sealed_credentials: string }[] = await this.db.dataSource.query(
      `SELECT sealed_credentials FROM gateway.provider_credentials WHERE workspace_id = $1 AND provider = $2`,
      [workspaceId, provider],
    );
    return rows[0]?.sealed_credentials ?? null;
  }
}
