import argon2 from 'argon2';
import { scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/** OWASP's recommended argon2id settings: 19 MiB of memory, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password with argon2id and a random salt (PHC string: `$argon2id$v=19$m=…,p=…,t=…$salt$hash`). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** Whether `password` matches a stored hash: argon2id, or the scrypt hashes of accounts made before argon2id. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) {
    try {
      return await argon2.verify(stored, password);
    } catch {
      return false;
    }
  }
  if (stored.startsWith('scrypt$')) return verifyLegacyScrypt(password, stored);
  return false;
}

/** Whether a stored hash should be replaced by a fresh argon2id hash at the next successful login. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith('$argon2id$') || argon2.needsRehash(stored, ARGON2_OPTIONS);
}

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

async function verifyLegacyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** What a console password must satisfy (from config). */
export interface PasswordPolicy {
  minLength: number;
  requireClasses: boolean;
}

/** The rules `password` breaks, each in words for the 400 error; empty when it is acceptable. */
export function passwordPolicyViolations(password: string, policy: PasswordPolicy): string[] {
  const broken: string[] = [];
  if ([...password].length < policy.minLength) broken.push(`at least ${policy.minLength} characters`);
  if (policy.requireClasses) {
    if (!/\p{Lu}/u.test(password)) broken.push('an upper-case letter');
    if (!/\p{Ll}/u.test(password)) broken.push('a lower-case letter');
    if (!/\p{Nd}/u.test(password)) broken.push('a digit');
    if (!/[^\p{L}\p{Nd}\s]/u.test(password)) broken.push('a special character');
  }
  return broken;
}
