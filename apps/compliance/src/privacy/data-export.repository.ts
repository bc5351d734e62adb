import { Injectable } from '@nestjs/common';
import { isUuid, type DataExport } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';

const EXPORTS = '"compliance"."data_exports"';

export interface DataExportRow {
  account_id: string;
  attempts: number;
  created_at: Date;
  downloaded_at: Date | null;
  error: string | null;
  expires_at: Date | null;
  finished_at: Date | null;
  id: string;
  lease_owner: string | null;
  sealed_key: string | null;
  size: string | null;
  started_at: Date | null;
  status: 'pending' | 'running' | 'completed' | 'failed';
  storage_key: string | null;
  token_hash: string;
  workspace_ids: string[];
}

/** What the requester sees of a job. */
export function toDataExport(r: DataExportRow): DataExport {
  return {
    created_at: r.created_at.toISOString(),
    downloaded_at: r.downloaded_at?.toISOString() ?? null,
    error: r.error,
    expires_at: r.expires_at?.toISOString() ?? null,
    finished_at: r.finished_at?.toISOString() ?? null,
    id: r.id,
    size: r.size === null ? null : Number(r.size),
    started_at: r.started_at?.toISOString() ?? null,
    status: r.status,
  };
}

/** Export jobs: queued, claimed under a lease, finished with a sealed archive, downloaded once, purged. */
@Injectable()
export class DataExportRepository {
  constructor(private readonly db: DatabaseService) {}

  async create(id: string, accountId: string, workspaceIds: string[], tokenHash: string): Promise<DataExportRow> {
    const [row] = await this.db.rows<DataExportRow>(
      `INSERT INTO ${EXPORTS} (id, account_id, workspace_ids, status, token_hash) VALUES ($1, $2, $3::jsonb, 'pending', $4) RETURNING *`,
      [id, accountId, JSON.stringify(workspaceIds), tokenHash],
    );
    return row;
  }

  /** Whether the account already has an export being prepared. */
  async hasActive(accountId: string): Promise<boolean> {
    return (
      (await this.db.rows(`SELECT 1 FROM ${EXPORTS} WHERE account_id = $1 AND status IN ('pending', 'running') LIMIT 1`, [accountId]))
        .length > 0
    );
  }

  async findOwn(id: string, accountId: string): Promise<DataExportRow | null> {
    if (!isUuid(id)) return null;
    return (await this.db.rows<DataExportRow>(`SELECT * FROM ${EXPORTS} WHERE id = $1 AND account_id = $2`, [id, accountId]))[0] ?? null;
  }

  async find(id: string): Promise<DataExportRow | null> {
    if (!isUuid(id)) return null;
    return (await this.db.rows<DataExportRow>(`SELECT * FROM ${EXPORTS} WHERE id = $1`, [id]))[0] ?? null;
  }

  /** Takes the oldest job that is queued, or whose builder stopped renewing its lease (a crash). */
  async claim(owner: string, leaseSeconds: number): Promise<DataExportRow | null> {
    const [row] = await this.db.rows<DataExportRow>(
      `UPDATE ${EXPORTS} SET status = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2), attempts = attempts + 1, started_at = COALESCE(started_at, now())
       WHERE id = (SELECT id FROM ${EXPORTS} WHERE status IN ('pending', 'running') AND (lease_expires_at IS NULL OR lease_expires_at < now())
                   ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, leaseSeconds],
    );
    return row ?? null;
  }

  /** Extends the lease; false when another replica has taken the job over meanwhile. */
  async renew(id: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows = await this.db.rows(
      `UPDATE ${EXPORTS} SET lease_expires_at = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING id`,
      [id, owner, leaseSeconds],
    );
    return rows.length > 0;
  }

  async complete(
    id: string,
    owner: string,
    storageKey: string,
    sealedKey: string,
    size: number,
    linkTtlHours: number,
  ): Promise<DataExportRow | null> {
    const [row] = await this.db.rows<DataExportRow>(
      `UPDATE ${EXPORTS} SET status = 'completed', storage_key = $3, sealed_key = $4, size = $5, finished_at = now(), expires_at = now() + make_interval(hours => $6),
              lease_owner = NULL, lease_expires_at = NULL, error = NULL
       WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING *`,
      [id, owner, storageKey, sealedKey, size, linkTtlHours],
    );
    return row ?? null;
  }

  /** Gives the job back for another try, or fails it for good after `maxAttempts`. */
  async fail(id: string, owner: string, error: string, maxAttempts: number): Promise<DataExportRow | null> {
    const [row] = await this.db.rows<DataExportRow>(
      `UPDATE ${EXPORTS} SET status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'pending' END, error = $3,
              finished_at = CASE WHEN attempts >= $4 THEN now() ELSE NULL END, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 RETURNING *`,
      [id, owner, error.slice(0, 1000), maxAttempts],
    );
    return row ?? null;
  }

  /**
   * Spends the one download: marks it taken if the token is the job's, the archive is ready, not taken yet
   * and not expired, all in one conditional UPDATE, so of two concurrent downloads one wins.
   */
  async claimDownload(id: string, tokenHash: string): Promise<DataExportRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<DataExportRow>(
      `UPDATE ${EXPORTS} SET downloaded_at = now()
       WHERE id = $1 AND token_hash = $2 AND status = 'completed' AND downloaded_at IS NULL AND expires_at > now() AND storage_key IS NOT NULL RETURNING *`,
      [id, tokenHash],
    );
    return row ?? null;
  }

  /** Archives no longer wanted: downloaded a while ago, or expired. */
  async purgeable(downloadGraceSeconds: number, limit: number): Promise<{ id: string; storage_key: string }[]> {
    return this.db.rows(
      `SELECT id, storage_key FROM ${EXPORTS} WHERE status = 'completed' AND storage_key IS NOT NULL
         AND (expires_at < now() OR downloaded_at < now() - make_interval(secs => $1)) LIMIT $2`,
      [downloadGraceSeconds, limit],
    );
  }

  async markPurged(id: string): Promise<void> {
    await this.db.rows(`UPDATE ${EXPORTS} SET storage_key = NULL, sealed_key = NULL WHERE id = $1`, [id]);
  }

  /** An erased account's archives, whatever their state. */
  async archivesOf(accountId: string): Promise<{ id: string; storage_key: string }[]> {
    return this.db.rows(`SELECT id, storage_key FROM ${EXPORTS} WHERE account_id = $1 AND storage_key IS NOT NULL`, [accountId]);
  }

  /** The account's own export jobs (for its export: dates and states only). */
  async listOwn(accountId: string): Promise<DataExportRow[]> {
    return this.db.rows<DataExportRow>(`SELECT * FROM ${EXPORTS} WHERE account_id = $1 ORDER BY created_at`, [accountId]);
  }

  /** Stops exports of an account that is being erased: an archive built now would hold what erasure removes. */
  async cancelActive(accountId: string): Promise<number> {
    return (
      await this.db.rows(
        `UPDATE ${EXPORTS} SET status = 'failed', error = 'The account was erased.', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
         WHERE account_id = $1 AND status IN ('pending', 'running') RETURNING id`,
        [accountId],
      )
    ).length;
  }
}

/** The account's own audit records (as actor, or as the resource acted on), in chain order, a page at a time. */
export async function auditRecordsOf(
  db: DatabaseService,
  accountId: string,
  afterSeq: string | null,
  limit: number,
): Promise<Record<string, unknown>[]> {
  return db.rows(
    `SELECT id, seq, occurred_at, service, actor_type, actor_id, workspace_id, action, resource_type, resource_id, outcome, ip, user_agent, correlation_id, details
     FROM "compliance"."audit_events"
     WHERE ((actor_type = 'account' AND actor_id = $1) OR (resource_type = 'account' AND resource_id = $1)) AND ($2::bigint IS NULL OR seq > $2)
     ORDER BY seq LIMIT $3`,
    [accountId, afterSeq, limit],
  );
}
