import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';

/** A workspace's retention settings as stored: its own period (null for the default) and its legal hold. */
export interface StoredRetention {
  legalHold: boolean;
  retentionDays: number | null;
}

/** Per-workspace retention periods and legal holds. */
@Injectable()
export class RetentionPolicyRepository {
  constructor(private readonly db: DatabaseService) {}

  async find(workspaceId: string): Promise<StoredRetention> {
    const [row] = await this.db.rows<{ legal_hold: boolean; retention_days: number | null }>(
      `SELECT (SELECT retention_days FROM orchestrator.workspace_retention WHERE workspace_id = $1) AS retention_days,
         EXISTS (SELECT 1 FROM orchestrator.legal_holds WHERE workspace_id = $1) AS legal_hold`,
      [workspaceId],
    );
    return { legalHold: row!.legal_hold, retentionDays: row!.retention_days };
  }

  /** Sets the workspace's own retention period, or removes it (null) so the default applies. */
  async setRetentionDays(workspaceId: string, days: number | null): Promise<void> {
    if (days === null) {
      await this.db.rows('DELETE FROM orchestrator.workspace_retention WHERE workspace_id = $1', [workspaceId]);
      return;
    }
    await this.db.rows(
      `INSERT INTO orchestrator.workspace_retention (workspace_id, retention_days) VALUES ($1, $2)
       ON CONFLICT (workspace_id) DO UPDATE SET retention_days = excluded.retention_days, updated_at = now()`,
      [workspaceId, days],
    );
  }

  /** Places a legal hold (kept as first placed if already held) or releases it. */
  async setLegalHold(workspaceId: string, held: boolean, reason: string | null, placedBy: string | null): Promise<void> {
    if (!held) {
      await this.db.rows('DELETE FROM orchestrator.legal_holds WHERE workspace_id = $1', [workspaceId]);
      return;
    }
    await this.db.rows(
      `INSERT INTO orchestrator.legal_holds (workspace_id, reason, placed_by) VALUES ($1, $2, $3) ON CONFLICT (workspace_id) DO NOTHING`,
      [workspaceId, reason, placedBy],
    );
  }
}
