import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';

/** Where an HTTP request came from, for audit events and sessions. */
export interface RequestClientInfo {
  /** The client address (`req.ip`: the socket's address, or X-Forwarded-For's when the app trusts a proxy). */
  ip: string | null;
  userAgent: string | null;
}

/** The `RequestClientInfo` of the current request. */
export function requestClientInfo(req: Request): RequestClientInfo {
  const userAgent = req.headers['user-agent'];
  return { ip: req.ip ?? req.socket?.remoteAddress ?? null, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null };
}

/** Handler parameter: the `RequestClientInfo` of the request. */
export const RequestClient = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestClientInfo =>
  requestClientInfo(ctx.switchToHttp().getRequest<Request>()),
);
