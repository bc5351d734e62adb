import { randomUUID } from 'node:crypto';
import { RedisService } from '@weft/persistence';
import { infraUrls, pollUntil, uniqueSuffix } from '@weft/testing';
import type { ConsoleAuthSettings } from './console-auth.settings';
import { LoginLockedError, LoginThrottleService } from './login-throttle.service';

describe('LoginThrottleService against Redis', () => {
  const prefix = `weft-test:${uniqueSuffix()}:`;
  let redis: RedisService;
  let throttle: LoginThrottleService;
  // No slow-down before the lock, so the test is about counting, not waiting.
  const settings = { loginLockoutAfter: 5, loginLockoutMinutes: 15, loginSlowdownAfter: 100 } as ConsoleAuthSettings;

  beforeAll(async () => {
    redis = new RedisService({ connectionName: 'weft-login-throttle-test', keyPrefix: prefix, url: infraUrls().redisUrl });
    await pollUntil(() => redis.ping());
    throttle = new LoginThrottleService(redis, settings);
  });

  afterAll(async () => {
    const keys = await redis.client.keys(`${prefix}*`);
    if (keys.length > 0) await redis.client.del(...keys.map((k) => k.slice(prefix.length)));
    await redis.onApplicationShutdown();
  });

  /** How many of the attempts may go on to check a password, and how many were refused as locked. */
  async function attempt(email: string, ip: string, count: number): Promise<{ allowed: number; locked: number }> {
    const outcomes = await Promise.allSettled(Array.from({ length: count }, () => throttle.beforeAttempt(email, ip)));
    const locked = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof LoginLockedError).length;
    return { allowed: outcomes.filter((o) => o.status === 'fulfilled').length, locked };
  }

  it('lets a burst of parallel guesses check no more passwords than the lockout allows', async () => {
    const email = `victim-${randomUUID()}@example.com`;
    // Each address has room for 4 x 5 = 20 failures; the email only for 5.
    expect(await attempt(email, '203.0.113.7', 30)).toEqual({ allowed: 5, locked: 25 });
    expect(await attempt(email, '203.0.113.8', 3)).toEqual({ allowed: 0, locked: 3 });
  });

  it('counts an address across emails, and parallel bursts from it stop at its limit', async () => {
    const ip = '198.51.100.77';
    const results = await Promise.all(Array.from({ length: 10 }, () => attempt(`user-${randomUUID()}@example.com`, ip, 4)));
    expect(results.reduce((sum, r) => sum + r.allowed, 0)).toBe(20);
  });

  it('takes a successful login back: the email is cleared and the address keeps only its failures', async () => {
    const email = `owner-${randomUUID()}@example.com`;
    const ip = '192.0.2.44';
    expect(await attempt(email, ip, 4)).toEqual({ allowed: 4, locked: 0 });
    // The fifth attempt is the right password.
    await throttle.beforeAttempt(email, ip);
    await throttle.succeeded(email, ip);
    expect(await attempt(email, ip, 5)).toEqual({ allowed: 5, locked: 0 });
    const addressFailures = Number(await redis.client.get(`login-fail:ip:${ip}`));
    expect(addressFailures).toBe(9);
  });
});
