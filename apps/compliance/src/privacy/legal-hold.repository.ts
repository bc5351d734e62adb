import { Injectable } from '@nestjs/common';
import { isUuid, type LegalHold } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';
import { randomUUID } from 'node:crypto';

const HOLDS = '"compliance"."legal_holds"';

interface HoldRow {
  account_id: string | null;
  created_at: Date;
  id: string;
  placed_by: string;
  reason: string;
  released_at: Date | null;
  released_by: string | null;
  workspace_id: string;
}

function toHold(r: HoldRow): LegalHold {
  return {
    account_id: r.account_id,
    created_at: r.created_at.toISOString(),
    id: r.id,
    placed_by: r.placed_by,
    reason: r.reason,
    released_at: r.released_at?.toISOString() ?? null,
    released_by: r.released_by,
    workspace_id: r.workspace_id,
  };
}

/** Legal holds, placed and released by a workspace's admins; an active hold stops erasure. */
@Injectable()
export class LegalHoldRepository {
  constructor(private readonly db: DatabaseService) {}

  async place(workspaceId: string, accountId: string | null, reason: string, placedBy: string): Promise<LegalHold> {
    const [row] = await this.db.rows<HoldRow>(
      `INSERT INTO ${HOLDS} (id, workspace_id, account_id, reason, placed_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [randomUUID(), workspaceId, accountId, reason, placedBy],
    );
    return toHold(row);
  }

  /** Releases an active hold of the workspace; null when there is none with this id. */
  async release(workspaceId: string, id: string, releasedBy: string): Promise<LegalHold | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<HoldRow>(
      `UPDATE ${HOLDS} SET released_at = now(), released_by = $3 WHERE id = $1 AND workspace_id = $2 AND released_at IS NULL RETURNING *`,
      [id, workspaceId, releasedBy],
    );
    return row ? toHold(row) : null;
  }

  /** The workspace's holds, active ones first, newest first. */
  async list(workspaceId: string): Promise<LegalHold[]> {
    const rows = await this.db.rows<HoldRow>(
      `SELECT * FROM ${HOLDS} WHERE workspace_id = $1 ORDER BY released_at IS NOT NULL, created_at DESC LIMIT 500`,
      [workspaceId],
    );
    return rows.map(toHold);
  }

  /**
   * Active holds that stop an erasure: on the account (from any workspace), or on one of the workspaces
   * involved as a whole (a hold on another member's account does not stop it).
   */
  async activeFor(accountId: string | null, workspaceIds: string[]): Promise<LegalHold[]> {
    const rows = await this.db.rows<HoldRow>(
      `SELECT * FROM ${HOLDS} WHERE released_at IS NULL AND (($1::uuid IS NOT NULL AND account_id = $1) OR (account_id IS NULL AND workspace_id = ANY($2::uuid[])))`,
      [accountId, workspaceIds],
    );
    return rows.map(toHold);
  }

  /** An erased account's released holds keep their dates, not the words written about it. */
  async scrubReasonsOf(accountId: string): Promise<number> {
    return (
      await this.db.rows(`UPDATE ${HOLDS} SET reason = '[erased]' WHERE account_id = $1 AND reason <> '[erased]' RETURNING id`, [accountId])
    ).length;
  }
}
