import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKeys } from './key-derivation.util';

/** The format `seal` writes: bound to its row (AES-GCM associated data). */
const VERSION = 'v2';
/** The format of values sealed before binding existed: no associated data. Only `reseal` still opens it. */
const LEGACY_VERSION = 'v1';
const IV_BYTES = 12;
/** GCM's full tag. A shorter one would be accepted by Node unless refused, and is far easier to forge. */
const TAG_BYTES = 16;
const SEALED = /^(v[12]):([A-Za-z0-9_-]+):([A-Za-z0-9_-]*):([A-Za-z0-9_-]*):([A-Za-z0-9_-]*)$/;

/**
 * What a sealed value belongs to: the parts that name its row, e.g. `[workspaceId, provider]`. It is
 * authenticated with the ciphertext, so a value copied into another row (another workspace, provider
 * or app) does not open there.
 */
export type SealBinding = readonly [string, ...string[]];

/** Why a sealed value was refused. */
export type SealedValueProblem = 'malformed' | 'unknown_key' | 'tag_length' | 'legacy' | 'mismatch';

/** A sealed value that does not open: altered, bound to another row, under an unknown key, or of the old unbound format. */
export class SealedValueError extends Error {
  override readonly name = 'SealedValueError';

  constructor(
    readonly problem: SealedValueProblem,
    message: string,
  ) {
    super(message);
  }
}

interface ParsedSeal {
  data: Buffer;
  iv: Buffer;
  keyId: string;
  tag: Buffer;
  version: typeof VERSION | typeof LEGACY_VERSION;
}

/**
 * Encrypts secrets at rest with AES-256-GCM. Each ciphertext names the key that made it
 * (`v2:<keyId>:<iv>:<tag>:<data>`), so keys can be rotated: new values use the current key, older
 * values still open with the keys kept for reading. Keys are derived from secret material with HKDF,
 * with the purpose as context, so one configured secret never serves two purposes with the same key.
 * Each value is also bound to its purpose and its row (`<purpose>|<part>|…` as GCM associated data):
 * it opens only for the binding it was sealed with. Values of the unbound format `v1` are refused by
 * `open`; `reseal` turns them into bound ones (docs/security.md, "Sealed secrets").
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  /** `keys` maps key ids to secret material; `currentKeyId` encrypts. */
  constructor(
    keys: Record<string, string>,
    private readonly currentKeyId: string,
    private readonly purpose: string,
  ) {
    this.keys = deriveKeys(keys, currentKeyId, 'weft-secret-box', purpose);
  }

  /** Encrypts a UTF-8 string under the current key, bound to `binding`. */
  seal(plaintext: string, binding: SealBinding): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.associatedData(binding));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.currentKeyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join(':');
  }

  /** Decrypts what `seal` made for the same binding; throws SealedValueError otherwise (altered, another row, unknown key, old format). */
  open(sealed: string, binding: SealBinding): string {
    const parsed = this.parse(sealed);
    if (parsed.version === LEGACY_VERSION)
      throw new SealedValueError(
        'legacy',
        'Sealed in the old format, not bound to its row: it opens only when re-sealed (at service start after the upgrade, or npm run secrets:rotate)',
      );
    return this.decrypt(parsed, this.associatedData(binding));
  }

  /** Whether a value should be sealed again: of the old unbound format, or under a key other than the current one. */
  needsReseal(sealed: string): boolean {
    return sealedVersion(sealed) !== VERSION || sealedKeyId(sealed) !== this.currentKeyId;
  }

  /**
   * Seals a value again, bound to `binding`, under the current key: an old unbound (`v1`) value is opened
   * without a binding and bound now; a bound one under an older key must open for `binding` first. A
   * current value passes unchanged. Used only by the re-seal paths, which read each value from its own row.
   */
  reseal(sealed: string, binding: SealBinding): string {
    if (!this.needsReseal(sealed)) return sealed;
    const parsed = this.parse(sealed);
    const plaintext = parsed.version === LEGACY_VERSION ? this.decrypt(parsed, null) : this.decrypt(parsed, this.associatedData(binding));
    return this.seal(plaintext, binding);
  }

  private associatedData(binding: SealBinding): Buffer {
    // Each part percent-encoded, so `|` inside a part cannot make two bindings read the same.
    return Buffer.from([this.purpose, ...binding].map((part) => encodeURIComponent(part)).join('|'), 'utf8');
  }

  private parse(sealed: string): ParsedSeal {
    const parts = SEALED.exec(sealed);
    if (!parts) throw new SealedValueError('malformed', 'Not a sealed secret');
    const [, version, keyId, iv, tag, data] = parts as unknown as [string, ParsedSeal['version'], string, string, string, string];
    const parsed = {
      data: Buffer.from(data, 'base64url'),
      iv: Buffer.from(iv, 'base64url'),
      keyId,
      tag: Buffer.from(tag, 'base64url'),
      version,
    };
    if (parsed.iv.length !== IV_BYTES) throw new SealedValueError('malformed', `Not a sealed secret: its IV is not ${IV_BYTES} bytes`);
    if (parsed.tag.length !== TAG_BYTES)
      throw new SealedValueError('tag_length', `Refused: its authentication tag is ${parsed.tag.length} bytes, not ${TAG_BYTES}`);
    return parsed;
  }

  private decrypt(parsed: ParsedSeal, associatedData: Buffer | null): string {
    const key = this.keys.get(parsed.keyId);
    if (!key) throw new SealedValueError('unknown_key', `Sealed with unknown key "${parsed.keyId}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
    if (associatedData) decipher.setAAD(associatedData);
    decipher.setAuthTag(parsed.tag);
    try {
      return Buffer.concat([decipher.update(parsed.data), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError('mismatch', 'Refused: altered, or sealed for another row or purpose');
    }
  }
}

/** The id of the key a sealed value names. */
export function sealedKeyId(sealed: string): string | undefined {
  return SEALED.exec(sealed)?.[2];
}

/** The format of a sealed value: `v2` (bound to its row), `v1` (from before binding), or undefined when it is not one. */
export function sealedVersion(value: unknown): 'v1' | 'v2' | undefined {
  return typeof value === 'string' ? (SEALED.exec(value)?.[1] as 'v1' | 'v2' | undefined) : undefined;
}

/** Whether a stored value looks like sealed output, of either format. */
export function isSealed(value: unknown): value is string {
  return sealedVersion(value) !== undefined;
}

/** Whether a value is of the old format, sealed without a binding (before this release). */
export function isLegacySealed(value: unknown): value is string {
  return sealedVersion(value) === LEGACY_VERSION;
}
