import { CanActivate, ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import type { Request } from 'express';
import { AccountRepository } from './account.repository';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './account.service';
import { verifyConsoleToken } from './console-token.util';

/** Who calls a console route: the account, its current workspace and its role there. */
export interface ConsoleUser {
  accountId: string;
  role: string;
  workspaceId: string;
}

type WithConsoleUser = Request & { consoleUser?: ConsoleUser };

/** Console routes: a valid access token of an account that is still a member of the token's workspace. */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  constructor(
    private readonly accounts: AccountRepository,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WithConsoleUser>();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const claims = token ? verifyConsoleToken(token, this.settings.secretKey) : null;
    if (!claims) throw new DomainError('unauthorized', 'Access token is invalid or expired.');
    const role = await this.accounts.roleIn(claims.wid, claims.sub);
    if (!role) throw new DomainError('unauthorized', 'Access token is invalid or expired.');
    req.consoleUser = { accountId: claims.sub, role, workspaceId: claims.wid };
    return true;
  }
}

/** The `ConsoleUser` that `ConsoleAuthGuard` put on the request. */
export const CurrentConsoleUser = createParamDecorator((_: unknown, ctx: ExecutionContext): ConsoleUser => {
  const user = ctx.switchToHttp().getRequest<WithConsoleUser>().consoleUser;
  if (!user) throw new DomainError('unauthorized', 'Access token is invalid or expired.');
  return user;
});
