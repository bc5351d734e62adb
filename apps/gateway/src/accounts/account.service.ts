import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { AuthErrors } from '@weft/contracts';
import type { RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import { WorkspaceErrors } from '../workspaces/workspace.exception';
import type { AccountProfile, ChangePasswordRequestSchema, LoginRequestSchema, TokenResponse } from './account.dto';
import { AccountErrors } from './account.exception';
import { AccountRepository } from './account.repository';
import { AuthSessionRepository } from './auth-session.repository';
import type { ConsoleUser } from './console-auth.guard';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';
import { signConsoleToken } from './console-token.util';
import { LoginThrottleService } from './login-throttle.service';
import { type PasswordPolicy, hashPassword, needsRehash, passwordPolicyViolations, verifyPassword } from './password.util';

/** A hash to compare against when the email is unknown, so a login takes as long either way. */
let decoyHash: Promise<string> | undefined;

/** Throws `invalid_param` naming every password rule `password` breaks. */
export function assertPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const broken = passwordPolicyViolations(password, policy);
  if (broken.length > 0) throw AccountErrors.passwordTooWeak(broken);
}

/**
 * Console accounts: log in, refresh, log out, change password (sign-up is `RegistrationService`, a forgotten
 * password `PasswordResetService`).
 * A login starts a session: a family of single-use refresh tokens. Access tokens name their session, so
 * revoking it (logout, reuse of a spent refresh token) ends them at once.
 */
@Injectable()
export class AccountService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly sessions: AuthSessionRepository,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  async login(req: z.infer<typeof LoginRequestSchema>, client: RequestClientInfo): Promise<TokenResponse> {
    await this.throttle.beforeAttempt(req.email, client.ip);
    const account = await this.accounts.findByEmail(req.email);
    const valid = await verifyPassword(
      req.password,
      account?.passwordHash ?? (await (decoyHash ??= hashPassword('decoy password that matches nothing'))),
    );
    if (!account || !valid || account.status !== 'active') {
      // Already counted by beforeAttempt.
      this.audit.record({
        action: 'account.login',
        actor: { type: 'account', id: account?.accountId ?? null },
        resource: { type: 'account', id: account?.accountId ?? null },
        workspaceId: account?.workspaceId ?? null,
        outcome: 'failure',
        ip: client.ip,
        userAgent: client.userAgent,
        details: { reason: account ? 'wrong_password' : 'unknown_email' },
      });
      throw AuthErrors.loginInvalid();
    }
    await this.throttle.succeeded(req.email, client.ip);
    await this.accounts.recordLogin(
      account.accountId,
      client.ip,
      needsRehash(account.passwordHash) ? await hashPassword(req.password) : null,
    );
    this.record('account.login', account.accountId, account.workspaceId, client);
    return this.startSession(account.accountId, account.workspaceId, client);
  }

  /** Spends a refresh token for a new pair. Presenting a spent token revokes its whole family. */
  async refresh(refreshToken: string, client: RequestClientInfo): Promise<TokenResponse> {
    const outcome = await this.sessions.rotate(refreshToken, this.settings.refreshTokenTtlMs);
    if (outcome.kind === 'invalid') throw AuthErrors.refreshTokenInvalid();
    if (outcome.kind === 'reused') {
      this.audit.record({
        action: 'account.session.revoked',
        actor: { type: 'system', id: 'gateway' },
        resource: { type: 'session', id: outcome.sessionId },
        workspaceId: outcome.workspaceId,
        outcome: 'success',
        ip: client.ip,
        userAgent: client.userAgent,
        details: { reason: 'refresh_token_reuse', account_id: outcome.accountId },
      });
      throw AuthErrors.refreshTokenInvalid();
    }
    if (!(await this.accounts.roleIn(outcome.workspaceId, outcome.accountId))) {
      await this.sessions.revoke(outcome.sessionId, 'membership_ended');
      throw AuthErrors.refreshTokenInvalid();
    }
    this.audit.record({
      action: 'account.token.refreshed',
      actor: { type: 'account', id: outcome.accountId },
      resource: { type: 'session', id: outcome.sessionId },
      workspaceId: outcome.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return this.tokens(outcome.accountId, outcome.workspaceId, outcome.sessionId, outcome.token);
  }

  /** Ends the caller's session: its refresh tokens and access tokens stop working. */
  async logout(accountId: string, workspaceId: string, sessionId: string, client: RequestClientInfo): Promise<void> {
    await this.sessions.revoke(sessionId, 'logout');
    this.audit.record({
      action: 'account.logout',
      actor: { type: 'account', id: accountId },
      resource: { type: 'session', id: sessionId },
      workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
    });
  }

  /** The caller's own account, with the workspace its token is for and its role there. */
  async profile(user: ConsoleUser): Promise<AccountProfile> {
    const account = await this.accounts.profile(user.accountId);
    // Not reached: the guard has just found the account a member, and accounts are never deleted (erasure anonymizes them).
    if (!account) throw AuthErrors.accessTokenInvalid();
    return { ...account, current_workspace_id: user.workspaceId, role: user.role };
  }

  /**
   * For actions that ask for the caller's password again (a password change, an erasure, handing over a
   * workspace): 400 when it is wrong.
   */
  async confirmPassword(accountId: string, password: string): Promise<void> {
    const account = await this.accounts.findById(accountId);
    if (!account || !(await verifyPassword(password, account.passwordHash))) throw AccountErrors.currentPasswordWrong();
  }

  /** Changes the caller's password and ends every other session of the account. */
  async changePassword(
    accountId: string,
    workspaceId: string,
    sessionId: string,
    req: z.infer<typeof ChangePasswordRequestSchema>,
    client: RequestClientInfo,
  ): Promise<void> {
    if (req.new_password !== req.repeat_new_password) throw AccountErrors.newPasswordsDiffer();
    assertPasswordPolicy(req.new_password, this.settings.passwordPolicy);
    await this.confirmPassword(accountId, req.password);
    await this.accounts.setPasswordHash(accountId, await hashPassword(req.new_password));
    await this.sessions.revokeAllOf(accountId, 'password_changed', undefined, sessionId);
    this.record('account.password.changed', accountId, workspaceId, client);
  }

  /** Moves the caller's session to another workspace it belongs to; a new access token says so. */
  async switchWorkspace(
    accountId: string,
    sessionId: string,
    workspaceId: string,
    client: RequestClientInfo,
  ): Promise<{ access_token: string; expires_in: number }> {
    if (!(await this.accounts.roleIn(workspaceId, accountId))) throw WorkspaceErrors.notFound();
    await this.sessions.switchWorkspace(sessionId, workspaceId);
    this.record('account.workspace.switched', accountId, workspaceId, client);
    return { access_token: this.accessToken(accountId, workspaceId, sessionId), expires_in: this.settings.accessTokenTtlSeconds };
  }

  /** A new session for an account that has just proved who it is (login, sign-up, activated invitation). */
  async startSession(accountId: string, workspaceId: string, client: RequestClientInfo): Promise<TokenResponse> {
    const { sessionId, token } = await this.sessions.start(accountId, workspaceId, this.settings.refreshTokenTtlMs, client);
    return this.tokens(accountId, workspaceId, sessionId, token);
  }

  private tokens(accountId: string, workspaceId: string, sessionId: string, refreshToken: string): TokenResponse {
    return {
      access_token: this.accessToken(accountId, workspaceId, sessionId),
      expires_in: this.settings.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      token_type: 'Bearer',
    };
  }

  private accessToken(accountId: string, workspaceId: string, sessionId: string): string {
    return signConsoleToken(
      { sub: accountId, wid: workspaceId, sid: sessionId },
      this.settings.signingKeys,
      this.settings.accessTokenTtlSeconds,
    );
  }

  private record(action: string, accountId: string, workspaceId: string, client: RequestClientInfo): void {
    this.audit.record({
      action,
      actor: { type: 'account', id: accountId },
      resource: { type: 'account', id: accountId },
      workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
    });
  }
}
