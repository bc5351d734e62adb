import { deriveKeys } from '@weft/security';
import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * A secret sealed the way releases before bound seals did (`v1:<keyId>:<iv>:<tag>:<data>`, AES-256-GCM with
 * the purpose's HKDF key and no associated data), for tests of the upgrade: the secret box no longer writes it.
 */
export function sealLegacy(material: string, keyId: string, purpose: string, plaintext: string): string {
  const key = deriveKeys({ [keyId]: material }, keyId, 'weft-secret-box', purpose).get(keyId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
}
