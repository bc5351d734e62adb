import { Injectable } from '@nestjs/common';
import { RedisService } from '@weft/persistence';
import type { RequestLimits } from './rate-limit.util';

/** The rate-limit window: limits are "requests per minute". */
export const RATE_WINDOW_MS = 60_000;

/** Why a request was refused: its key's rate, its address's rate, or its app's runs in progress. */
export type RefusedBy = 'api_key' | 'client_address' | 'active_requests';

/**
 * Which counters a request goes to: the Service API's (per key and address), the console's (per account
 * and address), or the console's stricter counter for routes that create accounts or check passwords.
 */
export type RateScope = 'service' | 'console' | 'console-sensitive';

export type AdmitOutcome = { admitted: true } | { admitted: false; refusedBy: RefusedBy; retryAfterMs: number };

/** One request to admit: who sends it, what limits apply, and its id (its entry in the counters). */
export interface AdmitRequest {
  address: string;
  /** The app whose active runs are counted; only used when `limits.maxActive` > 0. */
  appId: string | null;
  /** The API key (`app-…` or `dataset-…`) id; null for a request without one. */
  keyId: string | null;
  limits: RequestLimits;
  requestId: string;
  /** How long an active-run slot lives unless renewed, so a crashed gateway's slots free themselves. */
  slotTtlMs: number;
  /** The counters it goes to; the Service API's unless said. In the console, `keyId` is the account. */
  scope?: RateScope;
}

/*
 * The whole admission decision, atomically, in one round trip.
 *
 * Rates use a sliding-window log: each counter is a sorted set of the admitted requests' ids scored by the
 * time they were admitted. A request is admitted when fewer than `limit` entries are younger than the
 * window, so no 60-second span ever holds more than `limit` admitted requests (a fixed window lets twice the
 * limit through across a boundary; GCRA would let a full burst through again right after one). Entries
 * older than the window are dropped first, so a set never holds more than `limit` entries; refused requests
 * are not recorded, so a client that keeps retrying is let in again as soon as the oldest entry ages out,
 * and Retry-After says exactly when that is. The clock is Redis's own, the same for every gateway replica.
 *
 * Active runs (Dify's max_active_requests) are a sorted set of request ids scored by when their slot
 * expires; expired slots (a gateway that died mid-run) are dropped before counting. A request refused for
 * one reason consumes nothing from the others.
 *
 * KEYS: 1 the key's log, 2 the address's log, 3 the app's active runs.
 * ARGV: 1 window ms, 2 key limit, 3 address limit, 4 max active (0: not checked), 5 request id, 6 slot ttl ms.
 * Returns {0, 0} when admitted, else {1 key | 2 address | 3 active, milliseconds until a retry can succeed}.
 */
const ADMIT_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limits = { tonumber(ARGV[2]), tonumber(ARGV[3]) }
local refused = 0
local wait = 0
for i = 1, 2 do
  local limit = limits[i]
  if limit > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    local count = redis.call('ZCARD', KEYS[i])
    if count >= limit then
      local freeing = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
      local ms = tonumber(freeing[2]) + window - now
      if ms > wait then wait = ms end
      if refused == 0 then refused = i end
    end
  end
end
if refused > 0 then return { refused, wait } end
local maxActive = tonumber(ARGV[4])
if maxActive > 0 then
  local ttl = tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= maxActive then return { 3, 0 } end
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ttl)
end
for i = 1, 2 do
  if limits[i] > 0 then
    redis.call('ZADD', KEYS[i], now, ARGV[5])
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
return { 0, 0 }
`;

/*
 * Renews a slot that is still in the set (XX: a slot that was dropped as expired is not brought back).
 * KEYS: 1 the app's active runs. ARGV: 1 request id, 2 slot ttl ms.
 */
const RENEW_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

const REFUSED_BY: Record<number, RefusedBy> = { 1: 'api_key', 2: 'client_address', 3: 'active_requests' };

type ScriptClient = {
  weftRateAdmit(k1: string, k2: string, k3: string, ...argv: (string | number)[]): Promise<[number, number]>;
  weftRateRenew(k1: string, ...argv: (string | number)[]): Promise<number>;
};

const PREFIX: Record<RateScope, string> = { console: 'rl:console:', 'console-sensitive': 'rl:console-sensitive:', service: 'rl:' };
const keyLog = (keyId: string | null, scope: RateScope) => `${PREFIX[scope]}key:${keyId ?? 'none'}`;
const addressLog = (address: string, scope: RateScope) => `${PREFIX[scope]}addr:${address}`;
const activeRuns = (appId: string | null) => `rl:active:${appId ?? 'none'}`;

/** The rate-limit and active-run counters in Redis, shared by every gateway replica. */
@Injectable()
export class RateLimitRepository {
  private readonly scripts: ScriptClient;

  constructor(private readonly redis: RedisService) {
    // ioredis runs these with EVALSHA (loading them on NOSCRIPT) and puts the key prefix on KEYS.
    redis.client.defineCommand('weftRateAdmit', { lua: ADMIT_SCRIPT, numberOfKeys: 3 });
    redis.client.defineCommand('weftRateRenew', { lua: RENEW_SCRIPT, numberOfKeys: 1 });
    this.scripts = redis.client as unknown as ScriptClient;
  }

  /** Checks and counts the request against every limit that applies, in one atomic call. */
  async admit(req: AdmitRequest): Promise<AdmitOutcome> {
    const { limits } = req;
    const [code, waitMs] = await this.scripts.weftRateAdmit(
      keyLog(req.keyId, req.scope ?? 'service'),
      addressLog(req.address, req.scope ?? 'service'),
      activeRuns(req.appId),
      RATE_WINDOW_MS,
      req.keyId === null ? 0 : limits.keyPerMinute,
      limits.addressPerMinute,
      req.appId === null ? 0 : limits.maxActive,
      req.requestId,
      req.slotTtlMs,
    );
    if (code === 0) return { admitted: true };
    return { admitted: false, refusedBy: REFUSED_BY[code] ?? 'api_key', retryAfterMs: waitMs };
  }

  /** Keeps a long run's slot alive. */
  async renewSlot(appId: string, requestId: string, ttlMs: number): Promise<void> {
    await this.scripts.weftRateRenew(activeRuns(appId), requestId, ttlMs);
  }

  /** Frees a run's slot when its request ends. */
  async releaseSlot(appId: string, requestId: string): Promise<void> {
    await this.redis.client.zrem(activeRuns(appId), requestId);
  }
}
