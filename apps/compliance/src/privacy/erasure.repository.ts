import { Injectable } from '@nestjs/common';
import { isUuid, type ErasureStatus, type PrivacyService } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';

const REQUESTS = '"compliance"."erasure_requests"';
const STEPS = '"compliance"."erasure_steps"';

export interface ErasureRequestRow {
  account_id: string | null;
  app_id: string | null;
  created_at: Date;
  delete_documents: boolean;
  delete_workspace_ids: string[];
  end_user: string | null;
  end_user_hash: string | null;
  error: string | null;
  finished_at: Date | null;
  id: string;
  requested_by: string;
  requested_in: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  status_token_hash: string | null;
  subject_type: 'account' | 'end_user';
  workspace_id: string | null;
  workspace_ids: string[];
}

export interface ErasureStepRow {
  attempts: number;
  completed_at: Date | null;
  counts: Record<string, number> | null;
  last_error: string | null;
  position: number;
  request_id: string;
  service: PrivacyService;
  status: 'pending' | 'completed' | 'failed';
}

export type NewErasure = Omit<ErasureRequestRow, 'created_at' | 'error' | 'finished_at' | 'status'>;

export function toErasureStatus(r: ErasureRequestRow, steps: ErasureStepRow[]): ErasureStatus {
  return {
    created_at: r.created_at.toISOString(),
    error: r.error,
    finished_at: r.finished_at?.toISOString() ?? null,
    id: r.id,
    status: r.status,
    steps: steps.map((s) => ({
      attempts: s.attempts,
      completed_at: s.completed_at?.toISOString() ?? null,
      counts: s.counts,
      last_error: s.last_error,
      service: s.service,
      status: s.status,
    })),
    subject_type: r.subject_type,
  };
}

/**
 * Erasure sagas and their steps. A saga is driven by one replica at a time: claiming it takes a lease, and
 * every write while driving it names the lease owner, so a replica whose lease lapsed changes nothing.
 */
@Injectable()
export class ErasureRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Stores the saga and its steps in one transaction. */
  async create(r: NewErasure, services: readonly PrivacyService[]): Promise<{ request: ErasureRequestRow; steps: ErasureStepRow[] }> {
    return this.db.dataSource.transaction(async (m) => {
      const [request] = await this.db.rowsIn<ErasureRequestRow>(
        m,
        `INSERT INTO ${REQUESTS} (id, subject_type, account_id, workspace_id, app_id, end_user, end_user_hash, requested_by, requested_in, workspace_ids, delete_workspace_ids, delete_documents, status, status_token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, 'pending', $13) RETURNING *`,
        [
          r.id,
          r.subject_type,
          r.account_id,
          r.workspace_id,
          r.app_id,
          r.end_user,
          r.end_user_hash,
          r.requested_by,
          r.requested_in,
          JSON.stringify(r.workspace_ids),
          JSON.stringify(r.delete_workspace_ids),
          r.delete_documents,
          r.status_token_hash,
        ],
      );
      const steps: ErasureStepRow[] = [];
      for (const [position, service] of services.entries()) {
        steps.push(
          ...(await this.db.rowsIn<ErasureStepRow>(
            m,
            `INSERT INTO ${STEPS} (request_id, service, position) VALUES ($1, $2, $3) RETURNING *`,
            [r.id, service, position],
          )),
        );
      }
      return { request, steps };
    });
  }

  /** An unfinished erasure of the same subject, if one is under way. */
  async findActive(
    subjectType: string,
    accountId: string | null,
    workspaceId: string | null,
    endUserHash: string | null,
  ): Promise<ErasureRequestRow | null> {
    const rows = await this.db.rows<ErasureRequestRow>(
      `SELECT * FROM ${REQUESTS} WHERE status IN ('pending', 'running') AND subject_type = $1
         AND account_id IS NOT DISTINCT FROM $2::uuid AND workspace_id IS NOT DISTINCT FROM $3::uuid AND end_user_hash IS NOT DISTINCT FROM $4 LIMIT 1`,
      [subjectType, accountId, workspaceId, endUserHash],
    );
    return rows[0] ?? null;
  }

  async find(id: string): Promise<ErasureRequestRow | null> {
    if (!isUuid(id)) return null;
    return (await this.db.rows<ErasureRequestRow>(`SELECT * FROM ${REQUESTS} WHERE id = $1`, [id]))[0] ?? null;
  }

  async steps(id: string): Promise<ErasureStepRow[]> {
    return this.db.rows<ErasureStepRow>(`SELECT * FROM ${STEPS} WHERE request_id = $1 ORDER BY position`, [id]);
  }

  /** Takes the oldest saga that is due: queued, waiting for a retry, or left by a replica that stopped renewing its lease. */
  async claim(owner: string, leaseSeconds: number): Promise<ErasureRequestRow | null> {
    const [row] = await this.db.rows<ErasureRequestRow>(
      `UPDATE ${REQUESTS} SET status = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2)
       WHERE id = (SELECT id FROM ${REQUESTS} WHERE status IN ('pending', 'running') AND (lease_expires_at IS NULL OR lease_expires_at < now())
                   AND (next_attempt_at IS NULL OR next_attempt_at <= now()) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, leaseSeconds],
    );
    return row ?? null;
  }

  async renew(id: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows = await this.db.rows(
      `UPDATE ${REQUESTS} SET lease_expires_at = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING id`,
      [id, owner, leaseSeconds],
    );
    return rows.length > 0;
  }

  /** Records a finished step, if this replica still drives the saga. */
  async completeStep(id: string, owner: string, service: PrivacyService, counts: Record<string, number>): Promise<boolean> {
    const rows = await this.db.rows(
      `UPDATE ${STEPS} s SET status = 'completed', attempts = s.attempts + 1, counts = $4::jsonb, completed_at = now(), last_error = NULL
       FROM ${REQUESTS} r WHERE s.request_id = $1 AND s.service = $3 AND r.id = s.request_id AND r.lease_owner = $2 RETURNING s.request_id`,
      [id, owner, service, JSON.stringify(counts)],
    );
    return rows.length > 0;
  }

  /** Records a failed attempt; a permanent failure ends the saga, any other waits `retryInMs` for the next attempt. */
  async failStep(
    id: string,
    owner: string,
    service: PrivacyService,
    error: string,
    permanent: boolean,
    retryInMs: number,
  ): Promise<number> {
    return this.db.dataSource.transaction(async (m) => {
      const [step] = await this.db.rowsIn<{ attempts: number }>(
        m,
        `UPDATE ${STEPS} s SET attempts = s.attempts + 1, last_error = $4, status = CASE WHEN $5 THEN 'failed' ELSE s.status END
         FROM ${REQUESTS} r WHERE s.request_id = $1 AND s.service = $3 AND r.id = s.request_id AND r.lease_owner = $2 RETURNING s.attempts`,
        [id, owner, service, error.slice(0, 1000), permanent],
      );
      if (!step) return 0;
      await m.query(
        `UPDATE ${REQUESTS} SET lease_owner = NULL, lease_expires_at = NULL,
           status = CASE WHEN $2 THEN 'failed' ELSE status END, end_user = CASE WHEN $2 THEN NULL ELSE end_user END, error = CASE WHEN $2 THEN $3 ELSE error END, finished_at = CASE WHEN $2 THEN now() ELSE NULL END,
           next_attempt_at = CASE WHEN $2 THEN NULL ELSE now() + make_interval(secs => $4) END
         WHERE id = $1`,
        [id, permanent, `${service}: ${error}`.slice(0, 1000), retryInMs / 1000],
      );
      return step.attempts;
    });
  }

  /** A failed saga back to pending, its failed step with a clean slate; null when it is not failed (any more). */
  async resume(id: string): Promise<ErasureRequestRow | null> {
    return this.db.dataSource.transaction(async (m) => {
      const [row] = await this.db.rowsIn<ErasureRequestRow>(
        m,
        `UPDATE ${REQUESTS} SET status = 'pending', error = NULL, finished_at = NULL, next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND status = 'failed' RETURNING *`,
        [id],
      );
      if (!row) return null;
      await m.query(`UPDATE ${STEPS} SET status = 'pending', attempts = 0, last_error = NULL WHERE request_id = $1 AND status = 'failed'`, [
        id,
      ]);
      return row;
    });
  }

  /** Ends the saga; the end user's `user` string is dropped here (its hash stays, to recognise a repeated request). */
  async complete(id: string, owner: string): Promise<ErasureRequestRow | null> {
    const [row] = await this.db.rows<ErasureRequestRow>(
      `UPDATE ${REQUESTS} SET status = 'completed', finished_at = now(), end_user = NULL, lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL, error = NULL
       WHERE id = $1 AND lease_owner = $2 RETURNING *`,
      [id, owner],
    );
    return row ?? null;
  }
}
