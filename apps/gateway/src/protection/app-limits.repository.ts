import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import type { AppLimitSettings } from './rate-limit.util';

/** An app's own request limits (columns of gateway.apps); every query names the workspace. */
@Injectable()
export class AppLimitsRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The app's settings, or null when the workspace has no such app. */
  async find(workspaceId: string, appId: string): Promise<AppLimitSettings | null> {
    const rows = await this.db.rows<{ max_active_requests: number | null; rate_limit_per_minute: number | null }>(
      `SELECT rate_limit_per_minute, max_active_requests FROM gateway.apps WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, appId],
    );
    return rows[0] ? { maxActiveRequests: rows[0].max_active_requests, rateLimitPerMinute: rows[0].rate_limit_per_minute } : null;
  }

  /** Stores both settings; null when the workspace has no such app. */
  async update(workspaceId: string, appId: string, settings: AppLimitSettings): Promise<AppLimitSettings | null> {
    const rows = await this.db.rows<{ max_active_requests: number | null; rate_limit_per_minute: number | null }>(
      `UPDATE gateway.apps SET rate_limit_per_minute = $3, max_active_requests = $4, updated_at = now()
       WHERE workspace_id = $1 AND id = $2 RETURNING rate_limit_per_minute, max_active_requests`,
      [workspaceId, appId, settings.rateLimitPerMinute, settings.maxActiveRequests],
    );
    return rows[0] ? { maxActiveRequests: rows[0].max_active_requests, rateLimitPerMinute: rows[0].rate_limit_per_minute } : null;
  }
}
