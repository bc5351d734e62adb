import type { SealBinding, SecretBox } from '@weft/security';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** First bytes of a sealed archive: the format and its version. */
const MAGIC = Buffer.from('WEFTX1', 'ascii');

/**
 * Encrypts an archive with AES-256-GCM under a key of its own, made for this one archive: the file is
 * `WEFTX1 | iv (12) | tag (16) | ciphertext`, and the key travels sealed by the configured secret keys, so
 * rotating those keys never means re-encrypting archives and deleting the sealed key destroys the archive.
 * The sealed key is bound to its export (`binding`: dataExportKeyBinding), so it opens for no other one.
 */
export function sealArchive(plaintext: Buffer, box: SecretBox, binding: SealBinding): { data: Buffer; sealedKey: string } {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { data: Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]), sealedKey: box.seal(key.toString('base64url'), binding) };
}

/** Decrypts what `sealArchive` produced; throws if a byte was changed or the key is not the archive's. */
export function openArchive(data: Buffer, sealedKey: string, box: SecretBox, binding: SealBinding): Buffer {
  if (data.length < MAGIC.length + 28 || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('Not a sealed data export');
  const key = Buffer.from(box.open(sealedKey, binding), 'base64url');
  const iv = data.subarray(MAGIC.length, MAGIC.length + 12);
  const tag = data.subarray(MAGIC.length + 12, MAGIC.length + 28);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data.subarray(MAGIC.length + 28)), decipher.final()]);
}
