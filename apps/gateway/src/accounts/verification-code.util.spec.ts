import {
  hashVerificationCode,
  hashVerificationToken,
  newVerificationCode,
  newVerificationToken,
  verificationCodeKey,
  verificationCodeMatches,
} from './verification-code.util';

describe('verification codes', () => {
  const key = verificationCodeKey('a secret key for the verification code test');
  const id = '3f2c9c1e-8d4f-4d0e-9a77-0f6a3c2b1d10';

  it('are six digits, leading zeros kept, and vary', () => {
    const codes = Array.from({ length: 200 }, () => newVerificationCode());
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(190);
  });

  it('match only the code, the row and the key they were hashed with', () => {
    const stored = hashVerificationCode(key, id, '012345');
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(verificationCodeMatches(key, id, '012345', stored)).toBe(true);
    expect(verificationCodeMatches(key, id, '12345', stored)).toBe(false);
    expect(verificationCodeMatches(key, id, '012346', stored)).toBe(false);
    expect(verificationCodeMatches(key, '00000000-0000-4000-8000-000000000000', '012345', stored)).toBe(false);
    expect(verificationCodeMatches(verificationCodeKey('another secret key altogether'), id, '012345', stored)).toBe(false);
    expect(verificationCodeMatches(key, id, '012345', 'not hex')).toBe(false);
  });

  it('is not a plain hash of the code', () => {
    const stored = hashVerificationCode(key, id, '012345');
    expect(stored).not.toBe(hashVerificationToken('012345'));
    expect(stored).not.toBe(hashVerificationToken(`${id}\u0000012345`));
  });

  it('gives tokens of 32 random bytes, stored as their SHA-256', () => {
    const token = newVerificationToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(newVerificationToken()).not.toBe(token);
    expect(hashVerificationToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});
