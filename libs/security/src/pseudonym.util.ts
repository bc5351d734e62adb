import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Keyed pseudonyms of Service API end users, for records that must follow one end user without saying
 * who it is (the audit trail's `run.started`, an end user's erasure). The `user` string callers send is
 * often an email or a name; a plain hash of it could be reversed by hashing guesses (every address of a
 * leaked list), so the pseudonym is an HMAC-SHA256 under a key derived from SECRET_KEY (HKDF, its own
 * context, so it is no other key). The same end user gets the same pseudonym in every app of a workspace
 * and in every service with the same SECRET_KEY; a different workspace, or another SECRET_KEY, gives
 * another one. Changing SECRET_KEY therefore starts new pseudonyms: older records keep the old ones.
 */
export class EndUserPseudonyms {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey === '') throw new Error('EndUserPseudonyms needs a non-empty SECRET_KEY');
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'weft-pseudonyms', 'end-user', 32));
  }

  /** The pseudonym of `user` in `workspaceId`: 64 hex characters. */
  of(workspaceId: string, user: string): string {
    return createHmac('sha256', this.key).update(`${workspaceId}\u0000${user}`, 'utf8').digest('hex');
  }
}
