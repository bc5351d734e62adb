import type { JobGrantClaims } from '@weft/contracts';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Why a grant was refused, for the refusal's audit record. */
export class JobGrantError extends Error {
  constructor(readonly reason: 'missing' | 'malformed' | 'bad_signature' | 'expired') {
    super(`job grant refused: ${reason}`);
  }
}

const VERSION = 'g1';

/**
 * Short-lived signed grants that bind a service running tenant work (the node runner) to the workspace
 * of the job it holds. The orchestrator issues one with each node job (and each model call it asks
 * for); the services answering the node runner check it and take the workspace from it, never from the
 * payload. The key is derived from SECRET_KEY, which the node runner does not have, so it cannot forge
 * one: `g1.<claims, base64url JSON>.<HMAC-SHA256, base64url>`.
 */
export class JobGrants {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'weft-job-grant', 'job grant v1', 32));
  }

  issue(claims: Omit<JobGrantClaims, 'expiresAt'>, ttlMs: number, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ ...claims, expiresAt: now + ttlMs })).toString('base64url');
    return `${VERSION}.${body}.${this.sign(body)}`;
  }

  /** The grant's claims, or a JobGrantError saying why it is not good. */
  verify(grant: string | undefined, now = Date.now()): JobGrantClaims {
    if (!grant) throw new JobGrantError('missing');
    const [version, body, signature, ...rest] = grant.split('.');
    if (version !== VERSION || !body || !signature || rest.length > 0) throw new JobGrantError('malformed');
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new JobGrantError('bad_signature');
    let claims: JobGrantClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as JobGrantClaims;
    } catch {
      throw new JobGrantError('malformed');
    }
    if (typeof claims.workspaceId !== 'string' || typeof claims.runId !== 'string' || typeof claims.expiresAt !== 'number')
      throw new JobGrantError('malformed');
    if (claims.expiresAt <= now) throw new JobGrantError('expired');
    return claims;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(`${VERSION}.${body}`).digest('base64url');
  }
}
