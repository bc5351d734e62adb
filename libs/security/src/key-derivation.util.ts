import { hkdfSync } from 'node:crypto';

/**
 * One key per id of `keys`, derived from its material with HKDF-SHA256 under `salt` (what uses the keys)
 * and `purpose`, so one configured secret never serves two uses with the same key. Refuses an id that is
 * not `[A-Za-z0-9_-]+` and a `currentKeyId` that names no key.
 */
export function deriveKeys(keys: Record<string, string>, currentKeyId: string, salt: string, purpose: string): Map<string, Buffer> {
  const derived = new Map<string, Buffer>();
  for (const [id, material] of Object.entries(keys)) {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`Invalid key id "${id}"`);
    derived.set(id, Buffer.from(hkdfSync('sha256', material, salt, purpose, 32)));
  }
  if (!derived.has(currentKeyId)) throw new Error(`No key with id "${currentKeyId}"`);
  return derived;
}
