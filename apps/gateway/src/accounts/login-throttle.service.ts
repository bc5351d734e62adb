import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import { RedisService } from '@weft/persistence';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';

/** A client address may fail this many times more than one email before it is slowed down or locked. */
const ADDRESS_FACTOR = 4;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4000;

/** Refused because of too many failures; says when to try again. */
export class LoginLockedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_requests', 'Too many failed login attempts. Please try again later.');
  }
}

/** How many failures `count` is past the slow-down threshold, as a delay: 250 ms, doubling, at most 4 s. */
export function loginDelayMs(count: number, slowdownAfter: number): number {
  if (count < slowdownAfter) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (count - slowdownAfter));
}

/**
 * Slows down, then locks, repeated failed logins, counted in Redis (so every gateway replica sees the
 * same counts) per email and per client address. The email is counted whether or not an account has it,
 * and the answers are the same either way, so the throttle tells an attacker nothing about which emails
 * exist. While Redis is unreachable logins are not throttled (logged): refusing every login would be worse.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);

  constructor(
    private readonly redis: RedisService,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  /** Waits as long as the failures so far ask for; throws `LoginLockedError` while locked. */
  async beforeAttempt(email: string, ip: string | null): Promise<void> {
    const [emailKey, ipKey] = this.keys(email, ip);
    let counts: [number, number, number, number];
    try {
      const replies = (await this.redis.client.multi().get(emailKey).get(ipKey).pttl(emailKey).pttl(ipKey).exec()) ?? [];
      counts = replies.map(([, v]) => Number(v ?? 0)) as [number, number, number, number];
    } catch (error) {
      this.logger.warn(`Login throttle unavailable, not applied: ${(error as Error).message}`);
      return;
    }
    const [byEmail, byIp, emailTtl, ipTtl] = counts;
    const { loginLockoutAfter: lock, loginSlowdownAfter: slow } = this.settings;
    const lockedFor = Math.max(byEmail >= lock ? emailTtl : 0, byIp >= lock * ADDRESS_FACTOR ? ipTtl : 0);
    if (lockedFor > 0) throw new LoginLockedError(Math.ceil(lockedFor / 1000));
    const delay = Math.max(loginDelayMs(byEmail, slow), loginDelayMs(byIp, slow * ADDRESS_FACTOR));
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** Counts a failed attempt; each failure keeps the counters (and a lock) alive for the lockout window. */
  async failed(email: string, ip: string | null): Promise<void> {
    const window = this.settings.loginLockoutMinutes * 60_000;
    const [emailKey, ipKey] = this.keys(email, ip);
    await this.redis.client
      .multi()
      .incr(emailKey)
      .pexpire(emailKey, window)
      .incr(ipKey)
      .pexpire(ipKey, window)
      .exec()
      .catch((error: Error) => this.logger.warn(`Login throttle unavailable, failure not counted: ${error.message}`));
  }

  /** A successful login clears the email's failures (not the address's, which an attacker could reset that way). */
  async succeeded(email: string): Promise<void> {
    await this.redis.client.del(this.keys(email, null)[0]).catch(() => undefined);
  }

  private keys(email: string, ip: string | null): [string, string] {
    const emailHash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return [`login-fail:email:${emailHash}`, `login-fail:ip:${ip ?? 'unknown'}`];
  }
}
