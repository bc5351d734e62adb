import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { DatasetKeyContext } from '../knowledge/dataset-key.guard';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { clientAddressKey } from './http-rules.util';
import { RateLimitService } from './rate-limit.service';

const ACTIVE_REQUEST_SLOT = 'weft:active-request-slot';
const SENSITIVE_CONSOLE_ROUTE = 'weft:sensitive-console-route';

/**
 * Marks a console route that creates an account or checks a password (register, activate, login, password
 * change, erasure, ownership transfer): it counts against the small per-address allowance
 * `CONSOLE_SENSITIVE_RATE_LIMIT_PER_IP_PER_MINUTE` instead of the console's general one.
 */
export const SensitiveConsoleRoute = () => SetMetadata(SENSITIVE_CONSOLE_ROUTE, true);

/**
 * Marks a run route (workflow, chat or completion call, blocking or streaming): it holds one of its app's
 * active-run slots (Dify's max_active_requests) until its response closes, and has no request timeout,
 * since it ends with the workflow's own time limit.
 */
export const ActiveRequestSlot = () => SetMetadata(ACTIVE_REQUEST_SLOT, true);

/** Whether a handler is a run route marked with `ActiveRequestSlot`. */
export function takesActiveRequestSlot(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.get<boolean | undefined>(ACTIVE_REQUEST_SLOT, context.getHandler()) === true;
}

type ServiceApiRequest = Request & { appKey?: AppKeyContext; consoleUser?: { accountId: string }; datasetKey?: DatasetKeyContext };

/**
 * Applies the Service API rate limits (per key and per client address) and the active-run limit to every
 * `/v1` route, and the console's (per account and per client address, stricter for sign-up and password
 * routes) to every `/console/api` route. It runs after the guards, so it knows the key and its app (and the
 * app's own limits) or the signed-in account; requests that fail authentication are answered by the
 * guards before they are counted (the key guards count them against the address themselves).
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly limiter: RateLimitService,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<ServiceApiRequest>();
    if (req.path.startsWith('/console/api/')) {
      const sensitive = this.reflector.get<boolean | undefined>(SENSITIVE_CONSOLE_ROUTE, context.getHandler()) === true;
      const caller = { accountId: req.consoleUser?.accountId ?? null, address: clientAddressKey(req.ip), sensitive };
      await this.limiter.admitConsole(caller, http.getResponse<Response>());
      return next.handle();
    }
    if (!req.path.startsWith('/v1/')) return next.handle();
    const app = req.appKey ? { id: req.appKey.app.id, workspaceId: req.appKey.app.workspaceId } : null;
    const keyId = req.appKey?.keyId ?? req.datasetKey?.keyId ?? null;
    await this.limiter.admit(
      { address: clientAddressKey(req.ip), app, keyId },
      http.getResponse<Response>(),
      takesActiveRequestSlot(this.reflector, context),
    );
    return next.handle();
  }
}
