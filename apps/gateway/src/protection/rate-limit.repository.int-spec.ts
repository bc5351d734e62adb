import { randomUUID } from 'node:crypto';
import { RedisService } from '@weft/persistence';
import { infraUrls, pollUntil, uniqueSuffix } from '@weft/testing';
import { RATE_WINDOW_MS, RateLimitRepository, type AdmitOutcome } from './rate-limit.repository';
import type { RequestLimits } from './rate-limit.util';

describe('RateLimitRepository against Redis', () => {
  const prefix = `weft-test:${uniqueSuffix()}:`;
  let redis: RedisService;
  let limiter: RateLimitRepository;

  beforeAll(async () => {
    redis = new RedisService({ connectionName: 'weft-rate-limit-test', keyPrefix: prefix, url: infraUrls().redisUrl });
    await pollUntil(() => redis.ping());
    limiter = new RateLimitRepository(redis);
  });

  afterAll(async () => {
    const keys = await redis.client.keys(`${prefix}*`);
    if (keys.length > 0) await redis.client.del(...keys.map((k) => k.slice(prefix.length)));
    await redis.onApplicationShutdown();
  });

  const limits = (l: Partial<RequestLimits>): RequestLimits => ({ addressPerMinute: 0, keyPerMinute: 0, maxActive: 0, ...l });
  const admit = (over: {
    address?: string;
    appId?: string | null;
    keyId?: string | null;
    limits: RequestLimits;
    requestId?: string;
    slotTtlMs?: number;
  }): Promise<AdmitOutcome> =>
    limiter.admit({ address: '198.51.100.1', appId: null, keyId: null, requestId: randomUUID(), slotTtlMs: 60_000, ...over });

  it('admits exactly the limit out of a concurrent burst on one key and says when to retry', async () => {
    const keyId = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => admit({ keyId, limits: limits({ keyPerMinute: 5 }) })));
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(5);
    const refused = outcomes.filter((o): o is Extract<AdmitOutcome, { admitted: false }> => !o.admitted);
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      expect(r.refusedBy).toBe('api_key');
      expect(r.retryAfterMs).toBeGreaterThan(RATE_WINDOW_MS - 5000);
      expect(r.retryAfterMs).toBeLessThanOrEqual(RATE_WINDOW_MS);
    }
    // Refused requests are not recorded: the log holds only the admitted ones.
    expect(await redis.client.zcard(`rl:key:${keyId}`)).toBe(5);
  });

  it('counts an address across keys, and keys separately from each other', async () => {
    const address = '203.0.113.9';
    const a = await Promise.all(
      Array.from({ length: 3 }, () => admit({ address, keyId: randomUUID(), limits: limits({ addressPerMinute: 3, keyPerMinute: 10 }) })),
    );
    expect(a.every((o) => o.admitted)).toBe(true);
    const fourth = await admit({ address, keyId: randomUUID(), limits: limits({ addressPerMinute: 3, keyPerMinute: 10 }) });
    expect(fourth).toMatchObject({ admitted: false, refusedBy: 'client_address' });
    expect(
      await admit({ address: '203.0.113.10', keyId: randomUUID(), limits: limits({ addressPerMinute: 3, keyPerMinute: 10 }) }),
    ).toEqual({ admitted: true });
  });

  it('admits again once the oldest request is older than the window (a sliding window, not a fixed one)', async () => {
    const keyId = randomUUID();
    for (let i = 0; i < 3; i++) expect(await admit({ keyId, limits: limits({ keyPerMinute: 3 }) })).toEqual({ admitted: true });
    expect(await admit({ keyId, limits: limits({ keyPerMinute: 3 }) })).toMatchObject({ admitted: false });
    // Age the oldest entry past the window, the others only 30 s: exactly one more request fits.
    const entries = await redis.client.zrange(`rl:key:${keyId}`, 0, -1);
    const [time] = await redis.client.time();
    const nowMs = Number(time) * 1000;
    await redis.client.zadd(
      `rl:key:${keyId}`,
      nowMs - RATE_WINDOW_MS - 1,
      entries[0]!,
      nowMs - 30_000,
      entries[1]!,
      nowMs - 30_000,
      entries[2]!,
    );
    expect(await admit({ keyId, limits: limits({ keyPerMinute: 3 }) })).toEqual({ admitted: true });
    const again = await admit({ keyId, limits: limits({ keyPerMinute: 3 }) });
    expect(again).toMatchObject({ admitted: false, refusedBy: 'api_key' });
    // The next slot frees when the entries from 30 s ago leave the window.
    expect((again as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(25_000);
    expect((again as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('holds active-run slots up to the limit, frees them on release, and drops expired ones', async () => {
    const appId = randomUUID();
    const first = randomUUID();
    const second = randomUUID();
    expect(await admit({ appId, limits: limits({ maxActive: 2 }), requestId: first })).toEqual({ admitted: true });
    expect(await admit({ appId, limits: limits({ maxActive: 2 }), requestId: second, slotTtlMs: 300 })).toEqual({ admitted: true });
    expect(await admit({ appId, limits: limits({ maxActive: 2 }) })).toMatchObject({ admitted: false, refusedBy: 'active_requests' });
    await limiter.releaseSlot(appId, first);
    const third = randomUUID();
    expect(await admit({ appId, limits: limits({ maxActive: 2 }), requestId: third })).toEqual({ admitted: true });
    // `second` was given 300 ms and never renewed: it is dropped as expired, as a dead gateway's would be.
    await pollUntil(async () => (await admit({ appId, limits: limits({ maxActive: 2 }) })).admitted, { timeoutMs: 5000 });
    expect(await redis.client.zscore(`rl:active:${appId}`, second)).toBeNull();
    expect(await redis.client.zscore(`rl:active:${appId}`, third)).not.toBeNull();
  });

  it("pushes a renewed slot's expiry forward, and does not revive a freed one", async () => {
    const appId = randomUUID();
    const id = randomUUID();
    expect(await admit({ appId, limits: limits({ maxActive: 1 }), requestId: id, slotTtlMs: 400 })).toEqual({ admitted: true });
    const [time] = await redis.client.time();
    await limiter.renewSlot(appId, id, 60_000);
    expect(Number(await redis.client.zscore(`rl:active:${appId}`, id))).toBeGreaterThanOrEqual(Number(time) * 1000 + 59_000);
    expect(await redis.client.pttl(`rl:active:${appId}`)).toBeGreaterThan(59_000);
    // A slot that already expired and was dropped is not brought back by a late renewal.
    await limiter.releaseSlot(appId, id);
    await limiter.renewSlot(appId, id, 60_000);
    expect(await redis.client.zscore(`rl:active:${appId}`, id)).toBeNull();
  });

  it('consumes nothing from the rates when the active-run limit refuses', async () => {
    const appId = randomUUID();
    const keyId = randomUUID();
    expect(await admit({ appId, keyId, limits: limits({ keyPerMinute: 10, maxActive: 1 }) })).toEqual({ admitted: true });
    expect(await admit({ appId, keyId, limits: limits({ keyPerMinute: 10, maxActive: 1 }) })).toMatchObject({
      admitted: false,
      refusedBy: 'active_requests',
    });
    expect(await redis.client.zcard(`rl:key:${keyId}`)).toBe(1);
  });
});
