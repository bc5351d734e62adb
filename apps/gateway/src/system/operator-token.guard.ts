import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthErrors } from '@weft/contracts';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { OperatorErrors } from './system.exception';

/** The operator token (SYSTEM_STATUS_TOKEN); undefined when none is configured. */
export const SYSTEM_STATUS_TOKEN = Symbol('SYSTEM_STATUS_TOKEN');

/** Whether `given` is `expected`, in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Operator routes (`/v1/system/audit/*`): `Authorization: Bearer <SYSTEM_STATUS_TOKEN>`, nothing else. Unlike
 * `/v1/system/status`, which is open while no token is set (development), these stay closed until one is:
 * what they show spans every workspace.
 */
@Injectable()
export class OperatorTokenGuard implements CanActivate {
  constructor(@Inject(SYSTEM_STATUS_TOKEN) private readonly token: string | undefined) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.token === undefined) throw OperatorErrors.notConfigured();
    const given = /^Bearer (.+)$/.exec(context.switchToHttp().getRequest<Request>().headers.authorization ?? '')?.[1];
    if (!given || !sameSecret(given, this.token)) throw AuthErrors.apiKeyInvalid();
    return true;
  }
}
