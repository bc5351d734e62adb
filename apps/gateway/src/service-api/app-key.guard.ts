import { CanActivate, ExecutionContext, Injectable, OnModuleDestroy, createParamDecorator } from '@nestjs/common';
import { AppErrors, AuthErrors } from '@weft/contracts';
import type { Request, Response } from 'express';
import { AppRepository, type AppRow } from '../apps/app.repository';
import { ApiKeyCache } from './api-key-cache.service';
import { RateLimitService } from '../protection/rate-limit.service';

/** The app a Service API call acts on, from its `app-…` key. */
export interface AppKeyContext {
  app: AppRow;
  keyId: string;
}

type WithAppKey = Request & { appKey?: AppKeyContext };

/**
 * Service API authentication with an app key (`Authorization: Bearer app-…`). Lookups are cached (see
 * ApiKeyCache), and `last_used_at` is written in batches, so a busy key costs no query per call.
 */
@Injectable()
export class AppKeyGuard implements CanActivate, OnModuleDestroy {
  private readonly used = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly apps: AppRepository,
    private readonly cache: ApiKeyCache,
    private readonly limiter: RateLimitService,
  ) {
    this.timer = setInterval(() => void this.flushUsage(), 5000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WithAppKey>();
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ')) {
      await this.limiter.admitUnauthenticated(req, context.switchToHttp().getResponse<Response>());
      throw AuthErrors.bearerMissing();
    }
    const token = header.slice(7).trim();
    const found = token.startsWith('app-') ? await this.lookup(token) : null;
    if (!found) {
      // Made-up keys count against the caller's address, so guessing keys is rate limited too.
      await this.limiter.admitUnauthenticated(req, context.switchToHttp().getResponse<Response>());
      throw AuthErrors.apiKeyInvalid();
    }
    if (!found.app.enableApi) throw AppErrors.apiDisabled();
    this.used.add(found.keyId);
    req.appKey = found;
    return true;
  }

  private lookup(token: string): Promise<AppKeyContext | null> {
    return this.cache.lookup(
      token,
      () => this.apps.findAppByKey(token),
      (found) => found.keyId,
    );
  }

  private async flushUsage(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used.clear();
    await this.apps.touchKeys(ids).catch(() => undefined);
  }
}

/** The `AppKeyContext` that `AppKeyGuard` put on the request. */
export const CurrentApp = createParamDecorator((_: unknown, ctx: ExecutionContext): AppKeyContext => {
  const found = ctx.switchToHttp().getRequest<WithAppKey>().appKey;
  if (!found) throw AuthErrors.apiKeyInvalid();
  return found;
});
