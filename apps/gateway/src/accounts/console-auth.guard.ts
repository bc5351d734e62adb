import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import { AuthErrors } from '@weft/contracts';
import type { Request } from 'express';
import { AccountRepository } from './account.repository';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';
import { verifyConsoleToken } from './console-token.util';
import { type WorkspaceRole, roleAtLeast } from './workspace-role.util';

/** Who calls a console route: the account, its current workspace and its role there. */
export interface ConsoleUser {
  accountId: string;
  role: WorkspaceRole;
  /** The session (refresh-token family) the access token belongs to. */
  sessionId: string;
  workspaceId: string;
}

type WithConsoleUser = Request & { consoleUser?: ConsoleUser };

const REQUIRED_ROLE = 'weft:required-role';

/**
 * The least role a console route needs; `ConsoleAuthGuard` answers 403 to anyone below it, and the
 * OpenAPI description shows it as `x-weft-required-role`. Routes without it are open to every member
 * (`normal` and up).
 */
export const RequireRole = (role: WorkspaceRole) =>
  applyDecorators(SetMetadata(REQUIRED_ROLE, role), ApiExtension('x-weft-required-role', role));

/** Console routes: a valid access token of an account that is still a member of the token's workspace, with the role the route needs. */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly reflector: Reflector,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WithConsoleUser>();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const claims = token ? verifyConsoleToken(token, this.settings.signingKeys) : null;
    if (!claims) throw AuthErrors.accessTokenInvalid();
    const role = await this.accounts.roleInSession(claims.wid, claims.sub, claims.sid);
    if (!role) throw AuthErrors.accessTokenInvalid();
    const needed = this.reflector.getAllAndOverride<WorkspaceRole | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (needed && !roleAtLeast(role, needed)) throw AuthErrors.roleTooLow(needed);
    req.consoleUser = { accountId: claims.sub, role, sessionId: claims.sid, workspaceId: claims.wid };
    return true;
  }
}

/** The `ConsoleUser` that `ConsoleAuthGuard` put on the request. */
export const CurrentConsoleUser = createParamDecorator((_: unknown, ctx: ExecutionContext): ConsoleUser => {
  const user = ctx.switchToHttp().getRequest<WithConsoleUser>().consoleUser;
  if (!user) throw AuthErrors.accessTokenInvalid();
  return user;
});
