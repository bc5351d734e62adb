import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import type { z } from 'zod';
import type { LoginRequestSchema, RegisterRequestSchema, TokenResponse } from './account.dto';
import { AccountRepository } from './account.repository';
import { signConsoleToken } from './console-token.util';
import { hashPassword, verifyPassword } from './password.util';

/** Console token settings. */
export interface ConsoleAuthSettings {
  accessTokenTtlSeconds: number;
  secretKey: string;
}
export const CONSOLE_AUTH_SETTINGS = Symbol('CONSOLE_AUTH_SETTINGS');

/** A hash to compare against when the email is unknown, so a login takes as long either way. */
const DECOY_HASH = hashPassword('decoy password that matches nothing');

/**
 * Minimal accounts: register (with a workspace of one's own) and log in. The accounts issue adds
 * refresh tokens, lockout, argon2id and members; the token and guard shapes stay.
 */
@Injectable()
export class AccountService {
  constructor(
    private readonly accounts: AccountRepository,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  async register(req: z.infer<typeof RegisterRequestSchema>): Promise<TokenResponse & { account_id: string; workspace_id: string }> {
    const created = await this.accounts.create(req.email, req.name, await hashPassword(req.password));
    if (!created) throw new DomainError('conflict', 'An account with this email already exists.');
    return { ...this.token(created.accountId, created.workspaceId), account_id: created.accountId, workspace_id: created.workspaceId };
  }

  async login(req: z.infer<typeof LoginRequestSchema>): Promise<TokenResponse> {
    const account = await this.accounts.findByEmail(req.email);
    const valid = await verifyPassword(req.password, account?.passwordHash ?? (await DECOY_HASH));
    if (!account || !valid) throw new DomainError('unauthorized', 'Invalid email or password.');
    return this.token(account.accountId, account.workspaceId);
  }

  private token(accountId: string, workspaceId: string): TokenResponse {
    const ttl = this.settings.accessTokenTtlSeconds;
    return { access_token: signConsoleToken({ sub: accountId, wid: workspaceId }, this.settings.secretKey, ttl), expires_in: ttl, token_type: 'Bearer' };
  }
}
