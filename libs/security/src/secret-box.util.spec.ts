import { SecretBox, isSealed } from './secret-box.util';

describe('SecretBox', () => {
  const box = new SecretBox({ k1: 'first secret material' }, 'k1', 'test');

  it('round-trips a secret and never stores it in clear', () => {
    const sealed = box.seal('sk-live-123');
    expect(sealed).not.toContain('sk-live-123');
    expect(isSealed(sealed)).toBe(true);
    expect(box.open(sealed)).toBe('sk-live-123');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a tampered ciphertext', () => {
    const parts = box.seal('secret').split(':');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
  });

  it('opens values sealed under an older key after rotation and says they need re-encryption', () => {
    const old = box.seal('rotate me');
    const rotated = new SecretBox({ k1: 'first secret material', k2: 'second material' }, 'k2', 'test');
    expect(rotated.open(old)).toBe('rotate me');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('x'))).toBe(false);
  });

  it('derives different keys for different purposes from the same material', () => {
    const other = new SecretBox({ k1: 'first secret material' }, 'k1', 'another purpose');
    expect(() => other.open(box.seal('x'))).toThrow();
  });
});
