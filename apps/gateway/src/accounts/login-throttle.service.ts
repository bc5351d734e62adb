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

// Reads both counters, refuses while either is locked, and otherwise counts this attempt as a failure before
// the password is checked, all in one step: parallel guesses cannot all read the same count and pass.
// Returns {-1, lockedForMs} or {failures by email before this attempt, by address before it}.
const RESERVE_ATTEMPT = `
local byEmail = tonumber(redis.call('GET', KEYS[1]) or '0')
local byIp = tonumber(redis.call('GET', KEYS[2]) or '0')
local lockedFor = 0
if byEmail >= tonumber(ARGV[1]) then lockedFor = math.max(lockedFor, redis.call('PTTL', KEYS[1])) end
if byIp >= tonumber(ARGV[2]) then lockedFor = math.max(lockedFor, redis.call('PTTL', KEYS[2])) end
if lockedFor > 0 then return {-1, lockedFor} end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {byEmail, byIp}
`;

// A successful login clears the email's failures and gives back the address the attempt it was counted
// as (only that one: an attacker must not be able to reset an address's count by logging in).
const RELEASE_ATTEMPT = `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`;

/**
 * Slows down, then locks, repeated failed logins, counted in Redis (so every gateway replica sees the
 * same counts) per email and per client address. Every attempt is counted as a failure before its password
 * is checked, atomically with the lock check, and a success takes its count back: so N parallel guesses
 * get no more tries than N sequential ones. The email is counted whether or not an account has it, and the
 * answers are the same either way, so the throttle tells an attacker nothing about which emails exist.
 * While Redis is unreachable logins are not throttled (logged): refusing every login would be worse.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);

  constructor(
    private readonly redis: RedisService,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  /**
   * Counts the attempt, then waits as long as the failures before it ask for; throws `LoginLockedError`
   * (without counting) while locked. Call `succeeded` when the password was right.
   */
  async beforeAttempt(email: string, ip: string | null): Promise<void> {
    const [emailKey, ipKey] = this.keys(email, ip);
    const { loginLockoutAfter: lock, loginLockoutMinutes: minutes, loginSlowdownAfter: slow } = this.settings;
    let reply: [number, number];
    try {
      reply = (await this.redis.client.eval(RESERVE_ATTEMPT, 2, emailKey, ipKey, lock, lock * ADDRESS_FACTOR, minutes * 60_000)) as [
        number,
        number,
      ];
    } catch (error) {
      this.logger.warn(`Login throttle unavailable, not applied: ${(error as Error).message}`);
      return;
    }
    const [byEmail, byIp] = reply;
    if (byEmail < 0) throw new LoginLockedError(Math.ceil(byIp / 1000));
    const delay = Math.max(loginDelayMs(byEmail, slow), loginDelayMs(byIp, slow * ADDRESS_FACTOR));
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** The password was right: the email's failures are cleared and this attempt is not held against the address. */
  async succeeded(email: string, ip: string | null): Promise<void> {
    const [emailKey, ipKey] = this.keys(email, ip);
    await this.redis.client.eval(RELEASE_ATTEMPT, 2, emailKey, ipKey).catch(() => undefined);
  }

  /** Clears an email's failures: its owner has just proved they read its mail (a password reset). */
  async clearEmail(email: string): Promise<void> {
    const [emailKey] = this.keys(email, null);
    await this.redis.client.del(emailKey).catch(() => undefined);
  }

  private keys(email: string, ip: string | null): [string, string] {
    const emailHash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return [`login-fail:email:${emailHash}`, `login-fail:ip:${ip ?? 'unknown'}`];
  }
}
