import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import type { CodePurpose } from './verification-code.util';

/** A stored code as checking or spending it needs it. */
export interface VerificationCodeRow {
  id: string;
  email: string;
  accountId: string | null;
  name: string | null;
  passwordHash: string | null;
  codeHash: string;
  attempts: number;
}

/** What a new code is stored with. */
export interface NewVerificationCode {
  id: string;
  purpose: CodePurpose;
  email: string;
  accountId: string | null;
  name: string | null;
  passwordHash: string | null;
  tokenHash: string;
  codeHash: string;
  ttlMs: number;
}

/** What checking a code against its token found. */
export type CodeAttempt =
  | { kind: 'counted'; row: VerificationCodeRow }
  /** No live, unconfirmed code has this token: unknown, expired, spent, replaced or already confirmed. */
  | { kind: 'invalid' }
  /** The token has been checked with wrong codes too often. */
  | { kind: 'exhausted' }
  /** The address has been checked with wrong codes too often today, whatever the token. */
  | { kind: 'locked' };

type Row = {
  id: string;
  email: string;
  account_id: string | null;
  name: string | null;
  password_hash: string | null;
  code_hash: string;
  attempts: number;
};
const COLUMNS = 'id, email, account_id, name, password_hash, code_hash, attempts';
const toRow = (r: Row): VerificationCodeRow => ({
  id: r.id,
  email: r.email,
  accountId: r.account_id,
  name: r.name,
  passwordHash: r.password_hash,
  codeHash: r.code_hash,
  attempts: r.attempts,
});

/** Codes mailed for sign-up and password reset (`gateway.verification_codes`). Not tenant data: no workspace yet. */
@Injectable()
export class VerificationCodeRepository {
  constructor(private readonly db: DatabaseService) {}

  /**
   * Stores a new code unless the address has had `maxPerHour` codes for this purpose in the last hour, in
   * which case it answers how many seconds until one more may be sent. Under a lock per address and
   * purpose, so parallel requests cannot all pass the count; the address's older codes stop working, and
   * codes a day old (of any address) are deleted.
   */
  async insert(code: NewVerificationCode, maxPerHour: number): Promise<{ stored: true } | { stored: false; retryAfterSeconds: number }> {
    return this.db.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`verification-code:${code.purpose}:${code.email}`]);
      const [recent] = await this.db.rowsIn<{ n: number; retry: number | null }>(
        m,
        `SELECT count(*)::int AS n, ceil(extract(epoch FROM min(created_at) + interval '1 hour' - now()))::int AS retry
         FROM gateway.verification_codes WHERE email = $1 AND purpose = $2 AND created_at > now() - interval '1 hour'`,
        [code.email, code.purpose],
      );
      if ((recent?.n ?? 0) >= maxPerHour) return { stored: false, retryAfterSeconds: Math.max(1, recent?.retry ?? 3600) };
      await m.query(
        `UPDATE gateway.verification_codes SET used_at = now() WHERE email = $1 AND purpose = $2 AND used_at IS NULL AND created_at > now() - interval '1 day'`,
        [code.email, code.purpose],
      );
      await m.query(
        `INSERT INTO gateway.verification_codes (id, purpose, email, account_id, name, password_hash, token_hash, code_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9::double precision / 1000))`,
        [code.id, code.purpose, code.email, code.accountId, code.name, code.passwordHash, code.tokenHash, code.codeHash, code.ttlMs],
      );
      await m.query(`DELETE FROM gateway.verification_codes WHERE created_at < now() - interval '1 day'`);
      return { stored: true };
    });
  }

  /**
   * Counts one check of the unconfirmed code with this token, before the code is compared: parallel guesses
   * each use up an attempt, so no more than `maxAttempts` are ever compared per token. Refused, without
   * counting, once the address has `maxFailedPerDay` wrong codes for this purpose in the last day (a confirmed
   * code's last attempt was the right one).
   */
  async countAttempt(purpose: CodePurpose, tokenHash: string, maxAttempts: number, maxFailedPerDay: number): Promise<CodeAttempt> {
    const counted = await this.db.rows<Row>(
      `UPDATE gateway.verification_codes v SET attempts = attempts + 1
       WHERE token_hash = $1 AND purpose = $2 AND phase = 'code' AND used_at IS NULL AND expires_at > now() AND attempts < $3
         AND (SELECT coalesce(sum(o.attempts), 0) - count(*) FILTER (WHERE o.phase = 'verified') FROM gateway.verification_codes o
              WHERE o.email = v.email AND o.purpose = v.purpose AND o.created_at > now() - interval '1 day') < $4
       RETURNING ${COLUMNS}`,
      [tokenHash, purpose, maxAttempts, maxFailedPerDay],
    );
    if (counted[0]) return { kind: 'counted', row: toRow(counted[0]) };
    const live = await this.db.rows<{ attempts: number }>(
      `SELECT attempts FROM gateway.verification_codes
       WHERE token_hash = $1 AND purpose = $2 AND phase = 'code' AND used_at IS NULL AND expires_at > now()`,
      [tokenHash, purpose],
    );
    if (!live[0]) return { kind: 'invalid' };
    return live[0].attempts >= maxAttempts ? { kind: 'exhausted' } : { kind: 'locked' };
  }

  /** Marks a code confirmed and gives it a new token, good for `ttlMs`; false when it was confirmed or retired meanwhile. */
  async confirm(id: string, newTokenHash: string, ttlMs: number): Promise<boolean> {
    const rows = await this.db.rows(
      `UPDATE gateway.verification_codes SET phase = 'verified', token_hash = $2, expires_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = $1 AND phase = 'code' AND used_at IS NULL RETURNING id`,
      [id, newTokenHash, ttlMs],
    );
    return rows.length > 0;
  }

  /** The confirmed, unspent, unexpired code with this token, or null. */
  async findConfirmed(purpose: CodePurpose, tokenHash: string): Promise<VerificationCodeRow | null> {
    const rows = await this.db.rows<Row>(
      `SELECT ${COLUMNS} FROM gateway.verification_codes
       WHERE token_hash = $1 AND purpose = $2 AND phase = 'verified' AND used_at IS NULL AND expires_at > now()`,
      [tokenHash, purpose],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Spends a confirmed code's token; false when it was spent (or had expired) meanwhile, so a token works once. */
  async spend(id: string): Promise<boolean> {
    const rows = await this.db.rows(
      `UPDATE gateway.verification_codes SET used_at = now() WHERE id = $1 AND phase = 'verified' AND used_at IS NULL AND expires_at > now() RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }
}
