import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a console access token says about its bearer. */
export interface ConsoleClaims {
  /** Account id. */
  sub: string;
  /** Current workspace id. */
  wid: string;
  exp: number;
  iat: number;
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs an HS256 JWT. */
export function signConsoleToken(claims: Omit<ConsoleClaims, 'iat' | 'exp'>, secret: string, ttlSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64(JSON.stringify({ ...claims, iat: now, exp: now + ttlSeconds }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The claims of a valid, unexpired HS256 token signed with `secret`, or null. */
export function verifyConsoleToken(token: string, secret: string): ConsoleClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
    if (head.alg !== 'HS256') return null;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as ConsoleClaims;
    if (typeof claims.sub !== 'string' || typeof claims.wid !== 'string' || typeof claims.exp !== 'number') return null;
    return claims.exp > Date.now() / 1000 ? claims : null;
  } catch {
    return null;
  }
}
