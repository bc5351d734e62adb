import { deriveKeys, type SecretKeyring } from '@weft/security';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A point of the chain that is sealed: the head (last record) or a retention checkpoint (where the kept part
 * begins), or a workspace's head: where its own chain begins (its first kept record and the hash that record
 * points back to) and ends (its last record and that record's workspace hash).
 */
export type AuditAnchor =
  { hash: string; kind: 'head'; seq: number } | { kind: 'checkpoint'; prevHash: string; seq: number } | WorkspaceHeadAnchor;

/** A workspace's chain: from `firstSeq` (pointing back to `firstPrevHash`) to `lastSeq` (whose workspace hash is `lastHash`). */
export interface WorkspaceHeadAnchor {
  firstPrevHash: string;
  firstSeq: number;
  kind: 'workspace_head';
  lastHash: string;
  lastSeq: number;
  workspaceId: string;
}

/** What checking a seal found. */
export type SealCheck = 'ok' | 'missing' | 'mismatch' | 'unknown_key';

const SEAL = /^([A-Za-z0-9_-]{1,64}):([0-9a-f]{64})$/;

function message(anchor: AuditAnchor): string {
  switch (anchor.kind) {
    case 'head':
      return `weft-audit-head\u0000${anchor.seq}\u0000${anchor.hash}`;
    case 'checkpoint':
      return `weft-audit-checkpoint\u0000${anchor.seq}\u0000${anchor.prevHash}`;
    case 'workspace_head':
      // JSON, so no workspace id can run into the numbers after it.
      return `weft-audit-workspace-head\u0000${JSON.stringify([anchor.workspaceId, anchor.firstSeq, anchor.firstPrevHash, anchor.lastSeq, anchor.lastHash])}`;
  }
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
