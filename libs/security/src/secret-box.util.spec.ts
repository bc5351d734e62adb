import { createCipheriv, randomBytes } from 'node:crypto';
import { deriveKeys } from './key-derivation.util';
import { SecretBox, SealedValueError, isLegacySealed, isSealed, sealedVersion } from './secret-box.util';

const MATERIAL = 'first secret material';

/** A value as releases before bound seals wrote it: no associated data (the test lib's sealLegacy, without a cycle to it). */
function sealLegacy(plaintext: string, purpose = 'test', keyId = 'k1', material = MATERIAL): string {
  const key = deriveKeys({ [keyId]: material }, keyId, 'weft-secret-box', purpose).get(keyId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
}

function refusal(run: () => unknown): SealedValueError {
  try {
    run();
  } catch (error) {
    if (error instanceof SealedValueError) return error;
    throw error;
  }
  throw new Error('expected a SealedValueError');
}

describe('SecretBox', () => {
  const box = new SecretBox({ k1: MATERIAL }, 'k1', 'test');
  const row = ['workspace-a', 'openai'] as const;

  it('round-trips a secret bound to its row and never stores it in clear', () => {
    const sealed = box.seal('sk-live-123', row);
    expect(sealed).not.toContain('sk-live-123');
    expect(sealed).toMatch(/^v2:k1:/);
    expect(isSealed(sealed)).toBe(true);
    expect(isLegacySealed(sealed)).toBe(false);
    expect(box.open(sealed, row)).toBe('sk-live-123');
    expect(box.open(box.seal('', row), row)).toBe('');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same', row)).not.toBe(box.seal('same', row));
  });

  it('refuses a tampered ciphertext', () => {
    const parts = box.seal('secret', row).split(':');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(refusal(() => box.open(parts.join(':'), row)).problem).toBe('mismatch');
  });

  it('refuses a value copied to another workspace, another provider, or moved between parts', () => {
    const sealed = box.seal('sk-live-123', row);
    expect(refusal(() => box.open(sealed, ['workspace-b', 'openai'])).problem).toBe('mismatch');
    expect(refusal(() => box.open(sealed, ['workspace-a', 'anthropic'])).problem).toBe('mismatch');
    expect(refusal(() => box.open(sealed, ['workspace-a'])).problem).toBe('mismatch');
    expect(refusal(() => box.open(sealed, ['workspace-a', 'openai', 'extra'])).problem).toBe('mismatch');
    // A separator inside a part cannot make two different bindings read the same.
    expect(refusal(() => box.open(box.seal('x', ['a|b', 'c']), ['a', 'b|c'])).problem).toBe('mismatch');
  });

  it('refuses a truncated authentication tag, however short, before trying to decrypt', () => {
    const [version, keyId, iv, tag, data] = box.seal('secret', row).split(':') as [string, string, string, string, string];
    for (const bytes of [0, 1, 4, 8, 12, 15]) {
      const short = Buffer.from(tag, 'base64url').subarray(0, bytes).toString('base64url');
      const error = refusal(() => box.open([version, keyId, iv, short, data].join(':'), row));
      expect(error.problem).toBe('tag_length');
      expect(error.message).toContain(`${bytes} bytes, not 16`);
    }
    const long = Buffer.concat([Buffer.from(tag, 'base64url'), Buffer.alloc(1)]).toString('base64url');
    expect(refusal(() => box.open([version, keyId, iv, long, data].join(':'), row)).problem).toBe('tag_length');
    // The re-seal path holds old values to the same rule.
    const legacy = sealLegacy('old').split(':');
    legacy[3] = Buffer.from(legacy[3]!, 'base64url').subarray(0, 4).toString('base64url');
    expect(refusal(() => box.reseal(legacy.join(':'), row)).problem).toBe('tag_length');
  });

  it('refuses malformed values and a wrong IV length', () => {
    expect(refusal(() => box.open('plain text', row)).problem).toBe('malformed');
    expect(refusal(() => box.open('v3:k1:a:b:c', row)).problem).toBe('malformed');
    const parts = box.seal('x', row).split(':');
    parts[2] = Buffer.alloc(8).toString('base64url');
    expect(refusal(() => box.open(parts.join(':'), row)).problem).toBe('malformed');
  });

  it('opens values sealed under an older key after rotation and says they need re-sealing', () => {
    const old = box.seal('rotate me', row);
    const rotated = new SecretBox({ k1: MATERIAL, k2: 'second material' }, 'k2', 'test');
    expect(rotated.open(old, row)).toBe('rotate me');
    expect(rotated.needsReseal(old)).toBe(true);
    const resealed = rotated.reseal(old, row);
    expect(resealed).toMatch(/^v2:k2:/);
    expect(rotated.needsReseal(resealed)).toBe(false);
    expect(rotated.reseal(resealed, row)).toBe(resealed);
    // Rotation never moves a value to another row: it must open for the binding it is re-sealed with.
    expect(refusal(() => rotated.reseal(old, ['workspace-b', 'openai'])).problem).toBe('mismatch');
  });

  it('derives different keys for different purposes from the same material', () => {
    const other = new SecretBox({ k1: MATERIAL }, 'k1', 'another purpose');
    expect(refusal(() => other.open(box.seal('x', row), row)).problem).toBe('mismatch');
  });

  it('refuses an old unbound value at open, and re-seals it bound to the row it was read from', () => {
    const legacy = sealLegacy('sk-from-before');
    expect(sealedVersion(legacy)).toBe('v1');
    expect(isSealed(legacy)).toBe(true);
    expect(isLegacySealed(legacy)).toBe(true);
    expect(box.needsReseal(legacy)).toBe(true);
    const error = refusal(() => box.open(legacy, row));
    expect(error.problem).toBe('legacy');
    expect(error.message).toMatch(/re-sealed/);

    const bound = box.reseal(legacy, row);
    expect(bound).toMatch(/^v2:k1:/);
    expect(box.open(bound, row)).toBe('sk-from-before');
    expect(refusal(() => box.open(bound, ['workspace-b', 'openai'])).problem).toBe('mismatch');
    // An old value is still only opened with its own purpose's key.
    expect(refusal(() => new SecretBox({ k1: MATERIAL }, 'k1', 'other').reseal(legacy, row)).problem).toBe('mismatch');
    expect(refusal(() => box.reseal(sealLegacy('x', 'test', 'k9'), row)).problem).toBe('unknown_key');
  });
});
