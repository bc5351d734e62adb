import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import type { EntityManager } from 'typeorm';

/** A refresh token's SHA-256; only the hash is stored. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new refresh token: 32 random bytes, URL-safe. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What presenting a refresh token found. */
export type RefreshOutcome =
  | { kind: 'rotated'; sessionId: string; accountId: string; workspaceId: string; token: string }
  /** A token that was already spent: its whole family has now been revoked. */
  | { kind: 'reused'; sessionId: string; accountId: string; workspaceId: string }
  | { kind: 'invalid' };

/** Console sessions (refresh-token families) and their refresh tokens. */
@Injectable()
export class AuthSessionRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Starts a session and gives out its first refresh token. */
  async start(
    accountId: string,
    workspaceId: string,
    ttlMs: number,
    client: { ip: string | null; userAgent: string | null },
  ): Promise<{ sessionId: string; token: string }> {
    const sessionId = randomUUID();
    const token = newRefreshToken();
    await this.db.dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO gateway.auth_sessions (id, account_id, workspace_id, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`, [
        sessionId,
        accountId,
        workspaceId,
        client.ip,
        client.userAgent?.slice(0, 512) ?? null,
      ]);
      await m.query(`INSERT INTO gateway.refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)`, [
        hashRefreshToken(token),
        sessionId,
        new Date(Date.now() + ttlMs),
      ]);
    });
    return { sessionId, token };
  }

  /**
   * Spends a refresh token and gives out the next one of its family, in one transaction. The token is
   * marked used with a conditional UPDATE, so of two concurrent refreshes with the same token one wins
   * and the other counts as reuse. Reuse of a spent token revokes the whole family.
   */
  async rotate(token: string, ttlMs: number): Promise<RefreshOutcome> {
    const hash = hashRefreshToken(token);
    return this.db.dataSource.transaction(async (m) => {
      const spent = await this.db.rowsIn<{ session_id: string; account_id: string; workspace_id: string }>(
        m,
        `UPDATE gateway.refresh_tokens t SET used_at = now()
         FROM gateway.auth_sessions s
         WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now() AND s.id = t.session_id AND s.revoked_at IS NULL
         RETURNING t.session_id, s.account_id, s.workspace_id`,
        [hash],
      );
      const row = spent[0];
      if (row) {
        const next = newRefreshToken();
        await m.query(`INSERT INTO gateway.refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)`, [
          hashRefreshToken(next),
          row.session_id,
          new Date(Date.now() + ttlMs),
        ]);
        return { kind: 'rotated', sessionId: row.session_id, accountId: row.account_id, workspaceId: row.workspace_id, token: next };
      }
      const known = await this.db.rowsIn<{
        session_id: string;
        account_id: string;
        workspace_id: string;
        used_at: Date | null;
        revoked_at: Date | null;
      }>(
        m,
        `SELECT t.session_id, t.used_at, s.account_id, s.workspace_id, s.revoked_at FROM gateway.refresh_tokens t JOIN gateway.auth_sessions s ON s.id = t.session_id WHERE t.token_hash = $1`,
        [hash],
      );
      const found = known[0];
      if (!found || found.used_at === null) return { kind: 'invalid' };
      if (found.revoked_at === null) await this.revokeIn(m, found.session_id, 'refresh_token_reuse');
      return { kind: 'reused', sessionId: found.session_id, accountId: found.account_id, workspaceId: found.workspace_id };
    });
  }

  /** Revokes a session (every token of its family); false when it was not active. */
  async revoke(sessionId: string, reason: string): Promise<boolean> {
    return this.revokeIn(this.db.dataSource.manager, sessionId, reason);
  }

  /** Revokes every active session of an account (in one workspace, if given), except one if given; returns how many. */
  async revokeAllOf(accountId: string, reason: string, workspaceId?: string, exceptSessionId?: string): Promise<number> {
    const rows = await this.db.rows(
      `UPDATE gateway.auth_sessions SET revoked_at = now(), revoked_reason = $2
       WHERE account_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR workspace_id = $3) AND ($4::uuid IS NULL OR id <> $4) RETURNING id`,
      [accountId, reason, workspaceId ?? null, exceptSessionId ?? null],
    );
    return rows.length;
  }

  /** Points a session at another workspace (the account switched workspace). */
  async switchWorkspace(sessionId: string, workspaceId: string): Promise<void> {
    await this.db.dataSource.query(`UPDATE gateway.auth_sessions SET workspace_id = $2 WHERE id = $1 AND revoked_at IS NULL`, [
      sessionId,
      workspaceId,
    ]);
  }

  private async revokeIn(m: EntityManager, sessionId: string, reason: string): Promise<boolean> {
    const rows = await this.db.rowsIn(
      m,
      `UPDATE gateway.auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [sessionId, reason],
    );
    return rows.length > 0;
  }
}
