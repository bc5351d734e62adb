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
 * Builds the key ring from `JWT_SIGNING_KEYS` (`id:secret,id:secret`) and `JWT_CURRENT_KEY_ID`. Without
 * keys, one key `k1` is derived from SECRET_KEY (with HKDF, so it is not the key that seals secrets).
 * Throws a message naming what is wrong.
 */
export function buildSigningKeyRing(spec: string | undefined, currentKeyId: string | undefined, secretKey: string): SigningKeyRing {
  const keys = new Map<string, Buffer>();
  if (!spec) {
    keys.set('k1', Buffer.from(hkdfSync('sha256', secretKey, 'weft-console-tokens', 'jwt-hs256', 32)));
  } else {
    for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
      const at = entry.indexOf(':');
      const id = at > 0 ? entry.slice(0, at) : '';
      const secret = entry.slice(at + 1);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`JWT_SIGNING_KEYS: "${id || entry.slice(0, 8)}…" is not an id:secret pair with an id of letters, digits, - or _`);
      if (secret.length < 32) throw new Error(`JWT_SIGNING_KEYS: the secret of key "${id}" must have at least 32 characters`);
      if (keys.has(id)) throw new Error(`JWT_SIGNING_KEYS: key id "${id}" is listed twice`);
      keys.set(id, Buffer.from(secret, 'utf8'));
    }
  }
  if (keys.size === 0) throw new Error('JWT_SIGNING_KEYS lists no key');
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
    if (typeof claims.sub !== 'string' || typeof claims.wid !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return null;
    return claims as ConsoleClaims;
  } catch {
    return null;
  }
}
