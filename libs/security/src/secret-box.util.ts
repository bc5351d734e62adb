import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKeys } from './key-derivation.util';

const VERSION = 'v1';

/**
 * Encrypts secrets at rest with AES-256-GCM. Each ciphertext names the key that made it
 * (`v1:<keyId>:<iv>:<tag>:<data>`), so keys can be rotated: new values use the current key, older
 * values still open with the keys kept for reading. Keys are derived from secret material with HKDF,
 * with the purpose as context, so one configured secret never serves two purposes with the same key.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  /** `keys` maps key ids to secret material; `currentKeyId` encrypts. */
  constructor(
    keys: Record<string, string>,
    private readonly currentKeyId: string,
    purpose: string,
  ) {
    this.keys = deriveKeys(keys, currentKeyId, 'weft-secret-box', purpose);
  }

  /** Encrypts a UTF-8 string under the current key. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.currentKeyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join(':');
  }

  /** Decrypts what `seal` produced; throws if it was altered or its key is unknown. */
  open(sealed: string): string {
    const [version, keyId, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !keyId || iv === undefined || tag === undefined || data === undefined)
      throw new Error('Not a sealed secret');
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`Sealed with unknown key "${keyId}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Whether a value was sealed with a key other than the current one (and should be re-encrypted). */
  needsRotation(sealed: string): boolean {
    return sealedKeyId(sealed) !== this.currentKeyId;
  }

  /** Opens a value sealed under an older key and seals it again under the current one; current values pass unchanged. */
  reseal(sealed: string): string {
    return this.needsRotation(sealed) ? this.seal(this.open(sealed)) : sealed;
  }
}

/** The id of the key a sealed value names. */
export function sealedKeyId(sealed: string): string | undefined {
  return sealed.split(':')[1];
}

/** Whether a stored value looks like `seal` output. */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${VERSION}:`) && value.split(':').length === 5;
}
