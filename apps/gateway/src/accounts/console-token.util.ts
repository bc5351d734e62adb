import { hkdfSync } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** What a console access token says about its bearer. */
export interface ConsoleClaims {
  /** Account id. */
  sub: string;
  /** Current workspace id. */
  wid: string;
  /** The session (refresh-token family) the token belongs to; revoking it ends the token. */
  sid: string;
  exp: number;
  iat: number;
}

/** The keys that sign console tokens, by id; `currentKeyId` signs new ones, the others still verify. */
export interface SigningKeyRing {
  currentKeyId: string;
  keys: Map<string, Buffer>;
}

/**
 * The key ring from `JWT_SIGNING_KEYS` (parsed and checked by the config loader) and `JWT_CURRENT_KEY_ID`.
 * Without keys, one key `k1` is derived from SECRET_KEY (with HKDF, so it is not the key that seals secrets).
 */
export function buildSigningKeyRing(
  configured: Record<string, string>,
  currentKeyId: string | undefined,
  secretKey: string,
): SigningKeyRing {
  const keys = new Map<string, Buffer>(Object.entries(configured).map(([id, secret]) => [id, Buffer.from(secret, 'utf8')]));
  if (keys.size === 0) keys.set('k1', Buffer.from(hkdfSync('sha256', secretKey, 'weft-console-tokens', 'jwt-hs256', 32)));
  const current = currentKeyId ?? [...keys.keys()].at(-1)!;
  if (!keys.has(current)) throw new Error(`JWT_CURRENT_KEY_ID "${current}" is not one of the JWT_SIGNING_KEYS ids`);
  return { currentKeyId: current, keys };
}

/** Signs an HS256 JWT with the ring's current key, naming it in the header (`kid`). */
export function signConsoleToken(claims: Pick<ConsoleClaims, 'sub' | 'wid' | 'sid'>, ring: SigningKeyRing, ttlSeconds: number): string {
  return jwt.sign({ wid: claims.wid, sid: claims.sid }, ring.keys.get(ring.currentKeyId)!, {
    algorithm: 'HS256',
    expiresIn: ttlSeconds,
    keyid: ring.currentKeyId,
    subject: claims.sub,
  });
}

/** The claims of a valid, unexpired HS256 token signed with one of the ring's keys (chosen by `kid`), or null. */
export function verifyConsoleToken(token: string, ring: SigningKeyRing): ConsoleClaims | null {
  try {
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded?.header.kid;
    const key = kid ? ring.keys.get(kid) : undefined;
    if (!key) return null;
    const claims = jwt.verify(token, key, { algorithms: ['HS256'] }) as Partial<ConsoleClaims>;
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.wid !== 'string' ||
      typeof claims.sid !== 'string' ||
      typeof claims.exp !== 'number'
    )
      return null;
    return claims as ConsoleClaims;
  } catch {
    return null;
  }
}
