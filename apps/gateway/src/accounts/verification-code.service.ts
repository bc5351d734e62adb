import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { DomainError } from '@weft/contracts';
import type { RequestClientInfo } from '@weft/platform';
import { AccountErrors } from './account.exception';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';
import { VerificationCodeRepository, type VerificationCodeRow } from './verification-code.repository';
import {
  MAX_CODE_ATTEMPTS,
  MAX_CODES_PER_HOUR,
  MAX_FAILED_CODES_PER_DAY,
  hashVerificationCode,
  hashVerificationToken,
  newVerificationCode,
  newVerificationToken,
  verificationCodeMatches,
  type CodePurpose,
} from './verification-code.util';

/** What a new code is for, beyond its address. */
export interface CodeExtras {
  accountId?: string | null;
  name?: string | null;
  passwordHash?: string | null;
}

/**
 * Mailed codes and their tokens, in Dify's three steps: `issue` stores a code for an address and answers the
 * code (to mail) and a token (for the caller); `confirm` checks the code with that token, at most
 * `MAX_CODE_ATTEMPTS` times (and an address's codes at most `MAX_FAILED_CODES_PER_DAY` times wrong), and
 * answers a fresh token; `findConfirmed` and `spend` let that token complete the sign-up or the reset once.
 * Every step behaves the same whether or not the address has an account, and is audited the same way
 * (`account.email_code.sent`, `account.email_code.confirmed`), naming no account.
 */
@Injectable()
export class VerificationCodeService {
  constructor(
    private readonly codes: VerificationCodeRepository,
    private readonly audit: AuditService,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  /** Stores a new code for `email` (its older ones stop working); refused with 429 past `MAX_CODES_PER_HOUR`. */
  async issue(
    purpose: CodePurpose,
    email: string,
    extras: CodeExtras,
    client: RequestClientInfo,
  ): Promise<{ code: string; id: string; token: string }> {
    const id = randomUUID();
    const code = newVerificationCode();
    const token = newVerificationToken();
    const outcome = await this.codes.insert(
      {
        id,
        purpose,
        email,
        accountId: extras.accountId ?? null,
        name: extras.name ?? null,
        passwordHash: extras.passwordHash ?? null,
        tokenHash: hashVerificationToken(token),
        codeHash: hashVerificationCode(this.settings.verificationCodeKey, id, code),
        ttlMs: this.ttlMs(purpose),
      },
      MAX_CODES_PER_HOUR,
    );
    if (!outcome.stored) {
      const minutes = Math.ceil(outcome.retryAfterSeconds / 60);
      const error = purpose === 'register' ? AccountErrors.registerCodesExhausted(minutes) : AccountErrors.resetCodesExhausted(minutes);
      this.record('account.email_code.sent', purpose, null, client, error);
      throw error;
    }
    this.record('account.email_code.sent', purpose, id, client);
    return { code, id, token };
  }

  /** Checks `code` against the code `token` was given with; answers the address and a new token for the last step. */
  async confirm(
    purpose: CodePurpose,
    email: string,
    code: string,
    token: string,
    client: RequestClientInfo,
  ): Promise<{ email: string; token: string }> {
    let codeId: string | null = null;
    try {
      const attempt = await this.codes.countAttempt(purpose, hashVerificationToken(token), MAX_CODE_ATTEMPTS, MAX_FAILED_CODES_PER_DAY);
      if (attempt.kind === 'invalid') throw AccountErrors.tokenInvalid();
      if (attempt.kind !== 'counted') {
        const forToday = attempt.kind === 'locked';
        throw purpose === 'register' ? AccountErrors.registerAttemptsExhausted(forToday) : AccountErrors.resetAttemptsExhausted(forToday);
      }
      const { row } = attempt;
      codeId = row.id;
      if (row.email !== email || !verificationCodeMatches(this.settings.verificationCodeKey, row.id, code, row.codeHash)) {
        throw AccountErrors.emailCodeWrong();
      }
      const next = newVerificationToken();
      if (!(await this.codes.confirm(row.id, hashVerificationToken(next), this.ttlMs(purpose)))) throw AccountErrors.tokenInvalid();
      this.record('account.email_code.confirmed', purpose, row.id, client);
      return { email: row.email, token: next };
    } catch (error) {
      this.record('account.email_code.confirmed', purpose, codeId, client, error);
      throw error;
    }
  }

  /** The confirmed code `token` stands for, or null when the token is unknown, unconfirmed, spent or expired. */
  findConfirmed(purpose: CodePurpose, token: string): Promise<VerificationCodeRow | null> {
    return this.codes.findConfirmed(purpose, hashVerificationToken(token));
  }

  /** Spends a confirmed code's token; throws `invalid_or_expired_token` when another request spent it first. */
  async spend(id: string): Promise<void> {
    if (!(await this.codes.spend(id))) throw AccountErrors.tokenInvalid();
  }

  private record(action: string, purpose: CodePurpose, codeId: string | null, client: RequestClientInfo, error?: unknown): void {
    this.audit.record({
      action,
      actor: { type: 'account', id: null },
      resource: { type: 'verification_code', id: codeId },
      workspaceId: null,
      outcome: error === undefined ? 'success' : 'failure',
      ip: client.ip,
      userAgent: client.userAgent,
      details: { purpose, ...(error instanceof DomainError ? { reason: error.code } : {}) },
    });
  }

  private ttlMs(purpose: CodePurpose): number {
    const minutes = purpose === 'register' ? this.settings.emailRegisterTokenTtlMinutes : this.settings.resetPasswordTokenTtlMinutes;
    return minutes * 60_000;
  }
}
