import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@weft/metrics';
import type { Request, Response } from 'express';
import type { Counter } from 'prom-client';
import { AppLimitsService } from './app-limits.service';
import { clientAddressKey } from './http-rules.util';
import {
  PROTECTION_SETTINGS,
  RATE_LIMIT_REJECTIONS_METRIC,
  RATE_LIMIT_UNAVAILABLE_METRIC,
  type ProtectionSettings,
} from './protection.config';
import { ProtectionErrors } from './protection.exception';
import { RateLimitRepository, type AdmitOutcome, type RateScope } from './rate-limit.repository';
import { retryAfterSeconds, type RequestLimits } from './rate-limit.util';

/** A run's slot lives this long unless renewed, so slots of a gateway that died free themselves. */
export const ACTIVE_SLOT_TTL_MS = 120_000;
const SLOT_RENEW_MS = ACTIVE_SLOT_TTL_MS / 3;
/** A Redis that does not answer within this time is treated as down. */
const REDIS_CHECK_TIMEOUT_MS = 1000;
const UNAVAILABLE_LOG_EVERY_MS = 30_000;

/** Who sends a Service API request, as the key guards and the client address tell. */
export interface Caller {
  /** The client address key (see `clientAddressKey`). */
  address: string;
  /** The app of an `app-…` key. */
  app: { id: string; workspaceId: string } | null;
  /** The id of the `app-…` or `dataset-…` key, null for routes without one. */
  keyId: string | null;
}

/**
 * Admits Service API requests against the per-key and per-address rates and, for run routes, the app's
 * limit on runs in progress, with one atomic Redis call per request.
 *
 * When Redis does not answer, requests are let through unchecked (fail open): the limiter protects
 * capacity, and refusing every call while the cache tier is down would turn a Redis outage into an API
 * outage. Each such request is counted in `weft_rate_limit_unavailable_total` and a warning is logged
 * (at most every 30 s); the readiness check reports Redis as down meanwhile.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private lastUnavailableLog = 0;

  constructor(
    private readonly repository: RateLimitRepository,
    private readonly appLimits: AppLimitsService,
    @Inject(PROTECTION_SETTINGS) private readonly settings: ProtectionSettings,
    @InjectMetric(RATE_LIMIT_REJECTIONS_METRIC) private readonly rejections: Counter<string>,
    @InjectMetric(RATE_LIMIT_UNAVAILABLE_METRIC) private readonly unavailable: Counter<string>,
  ) {}

  /**
   * Admits the request or throws `too_many_requests` (with `Retry-After` set on rate refusals). With
   * `takesSlot`, an admitted request holds one of its app's active-run slots until its response closes
   * (answer sent, stream ended or client gone).
   */
  /**
   * Counts a Service API request whose key was missing or invalid against its client address (the one
   * Redis call it costs), so spraying made-up keys is limited like any other traffic; throws 429 once the
   * address is over its limit.
   */
  async admitUnauthenticated(req: Request, res: Response): Promise<void> {
    await this.admit({ address: clientAddressKey(req.ip), app: null, keyId: null }, res, false);
  }

  async admit(caller: Caller, res: Response, takesSlot: boolean): Promise<void> {
    const limits: RequestLimits = {
      addressPerMinute: this.settings.rateLimitPerIpPerMinute,
      keyPerMinute: this.settings.rateLimitPerMinute,
      maxActive: 0,
    };
    if (caller.app) {
      const app = await this.appLimits.forApp(caller.app.workspaceId, caller.app.id);
      limits.keyPerMinute = app.effectiveRatePerMinute;
      if (takesSlot) limits.maxActive = app.effectiveMaxActive;
    }
    await this.check(caller.address, caller.keyId, limits, caller.app?.id ?? null, 'service', res);
  }

  /**
   * Admits a console request, counted per signed-in account and per client address, or throws
   * `too_many_requests`. Routes that create accounts or check a password (`sensitive`) count against a
   * much smaller per-address allowance of their own, so password guessing and sign-up floods stop early.
   */
  async admitConsole(caller: { accountId: string | null; address: string; sensitive: boolean }, res: Response): Promise<void> {
    const limits: RequestLimits = {
      addressPerMinute: caller.sensitive
        ? this.settings.consoleSensitiveRateLimitPerIpPerMinute
        : this.settings.consoleRateLimitPerIpPerMinute,
      keyPerMinute: caller.sensitive ? 0 : this.settings.consoleRateLimitPerAccountPerMinute,
      maxActive: 0,
    };
    await this.check(caller.address, caller.accountId, limits, null, caller.sensitive ? 'console-sensitive' : 'console', res);
  }

  private async check(
    address: string,
    keyId: string | null,
    limits: RequestLimits,
    app: string | null,
    scope: RateScope,
    res: Response,
  ): Promise<void> {
    if (limits.keyPerMinute === 0 && limits.addressPerMinute === 0 && limits.maxActive === 0) return;
    const requestId = randomUUID();
    const appId = limits.maxActive > 0 ? app : null;
    let outcome: AdmitOutcome;
    try {
      outcome = await withTimeout(
        this.repository.admit({ address, appId, keyId, limits, requestId, scope, slotTtlMs: ACTIVE_SLOT_TTL_MS }),
        REDIS_CHECK_TIMEOUT_MS,
      );
    } catch (error) {
      // A slot the script still takes after the timeout is never released by this request; it expires within ACTIVE_SLOT_TTL_MS.
      this.unavailable.inc();
      if (Date.now() - this.lastUnavailableLog > UNAVAILABLE_LOG_EVERY_MS) {
        this.lastUnavailableLog = Date.now();
        this.logger.warn(
          `Rate limits not applied, Redis did not answer: ${(error as Error).message}; requests pass unchecked until it does`,
        );
      }
      return;
    }
    if (!outcome.admitted) {
      const inConsole = scope !== 'service';
      this.rejections.inc({
        limit: inConsole ? `console_${outcome.refusedBy === 'api_key' ? 'account' : outcome.refusedBy}` : outcome.refusedBy,
      });
      if (outcome.refusedBy === 'active_requests') throw ProtectionErrors.tooManyActiveRequests();
      const seconds = retryAfterSeconds(outcome.retryAfterMs);
      res.setHeader('Retry-After', String(seconds));
      const limit =
        outcome.refusedBy === 'api_key'
          ? `${limits.keyPerMinute} requests per minute for ${inConsole ? 'this account' : 'this API key'}`
          : `${limits.addressPerMinute} requests per minute from this address${scope === 'console-sensitive' ? ' to sign-up and password routes' : ''}`;
      throw ProtectionErrors.rateLimited(limit, seconds);
    }
    if (appId !== null) this.holdSlot(appId, requestId, res);
  }

  private holdSlot(appId: string, requestId: string, res: Response): void {
    const renew = setInterval(() => {
      if (res.closed) return release();
      this.repository
        .renewSlot(appId, requestId, ACTIVE_SLOT_TTL_MS)
        .catch((error: Error) =>
          this.logger.warn(`Could not renew the active-run slot "${requestId}" of app "${appId}": ${error.message}`),
        );
    }, SLOT_RENEW_MS);
    renew.unref();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      // If this fails the slot expires by itself within ACTIVE_SLOT_TTL_MS.
      this.repository
        .releaseSlot(appId, requestId)
        .catch((error: Error) => this.logger.warn(`Could not free the active-run slot "${requestId}" of app "${appId}": ${error.message}`));
    };
    // The client may have gone while the slot was being taken: then 'close' has already been emitted.
    if (res.closed) release();
    else res.once('close', release);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
