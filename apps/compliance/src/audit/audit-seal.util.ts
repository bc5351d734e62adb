import { deriveKeys, type SecretKeyring } from '@weft/security';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A point of the chain that is sealed: the head (last record) or a retention checkpoint (where the kept part begins). */
export type AuditAnchor = { hash: string; kind: 'head'; seq: number } | { kind: 'checkpoint'; prevHash: string; seq: number };

/** What checking a seal found. */
export type SealCheck = 'ok' | 'missing' | 'mismatch' | 'unknown_key';

const SEAL = /^([A-Za-z0-9_-]{1,64}):([0-9a-f]{64})$/;

function message(anchor: AuditAnchor): string {
  return anchor.kind === 'head'
    ? `weft-audit-head\u0000${anchor.seq}\u0000${anchor.hash}`
    : `weft-audit-checkpoint\u0000${anchor.seq}\u0000${anchor.prevHash}`;
}

/**
 * Seals of the chain's anchors: `<key id>:<HMAC-SHA256>` under a key derived (HKDF, its own context) from
 * the encryption keyring (ENCRYPTION_KEYS, or SECRET_KEY). The records' hashes are plain SHA-256, so anyone
 * who can write the table could rewrite a record and recompute every hash after it, head row included,
 * and the chain would still link up; the head's seal cannot be recomputed without the key, so verification
 * catches that. The same holds for a retention checkpoint forged to hide deleted records. New seals use
 * the current key; older keys still listed verify older seals (`npm run secrets:rotate` re-seals).
 */
export class AuditSealer {
  private readonly keys: Map<string, Buffer>;

  constructor(private readonly keyring: SecretKeyring) {
    this.keys = deriveKeys(keyring.keys, keyring.currentKeyId, 'weft-audit-seal', 'chain-anchors');
  }

  /** The seal of `anchor` under the current key. */
  seal(anchor: AuditAnchor): string {
    return `${this.keyring.currentKeyId}:${this.mac(this.keys.get(this.keyring.currentKeyId)!, anchor)}`;
  }

  /** Whether `seal` is the seal of `anchor` under the key it names. */
  check(anchor: AuditAnchor, seal: string | null): SealCheck {
    if (seal === null || seal === '') return 'missing';
    const parts = SEAL.exec(seal);
    if (!parts) return 'mismatch';
    const key = this.keys.get(parts[1]!);
    if (!key) return 'unknown_key';
    return timingSafeEqual(Buffer.from(parts[2]!, 'hex'), Buffer.from(this.mac(key, anchor), 'hex')) ? 'ok' : 'mismatch';
  }

  /** Whether `seal` was made with the current key (a re-seal leaves it alone). */
  isCurrent(seal: string | null): boolean {
    return seal?.startsWith(`${this.keyring.currentKeyId}:`) ?? false;
  }

  private mac(key: Buffer, anchor: AuditAnchor): string {
    return createHmac('sha256', key).update(message(anchor), 'utf8').digest('hex');
  }
}
