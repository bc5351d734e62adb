import { createHash, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** What a mailed code proves: that the reader of an address signs up with it, or resets its account's password. */
export const CODE_PURPOSES = ['register', 'reset_password'] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

/** Wrong codes one token may be checked with before it stops working. */
export const MAX_CODE_ATTEMPTS = 5;

/** Codes one address may be sent for one purpose within an hour. */
export const MAX_CODES_PER_HOUR = 5;

/**
 * Wrong codes one address may be checked with, for one purpose, within a day (over all its codes), as Dify
 * does: a guesser gets 10 tries a day at a million possible codes. Someone who guesses at another person's
 * address can hold up that address's sign-up or reset for a day, never take it.
 */
export const MAX_FAILED_CODES_PER_DAY = 10;

/** A 6-digit code, from the system's cryptographic random source. */
export function newVerificationCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A token for the caller to send back with the code: 32 random bytes, URL-safe. */
export function newVerificationToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A token's SHA-256; only the hash is stored. */
export function hashVerificationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The key codes are hashed under, derived from SECRET_KEY (HKDF, a context of its own): a million codes are
 * quickly hashed, so a plain hash in a leaked database would give the code away.
 */
export function verificationCodeKey(secretKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'weft-verification-codes', 'email-code', 32));
}

/** HMAC-SHA256 of a code, bound to its row, so one row's hash says nothing about another's. */
export function hashVerificationCode(key: Buffer, id: string, code: string): string {
  return createHmac('sha256', key).update(`${id}\u0000${code}`, 'utf8').digest('hex');
}

/** Whether `code` is the one hashed into `stored` for row `id`, compared in constant time. */
export function verificationCodeMatches(key: Buffer, id: string, code: string, stored: string): boolean {
  const actual = Buffer.from(hashVerificationCode(key, id, code), 'hex');
  const expected = Buffer.from(stored, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
