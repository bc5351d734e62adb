import { hashPassword, needsRehash, passwordPolicyViolations, verifyPassword } from './password.util';

describe('password hashing', () => {
  it('uses argon2id with a random salt and verifies only the right password', async () => {
    const a = await hashPassword('Correct horse 1!');
    const b = await hashPassword('Correct horse 1!');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(a).not.toBe(b);
    await expect(verifyPassword('Correct horse 1!', a)).resolves.toBe(true);
    await expect(verifyPassword('Correct horse 2!', a)).resolves.toBe(false);
    await expect(verifyPassword('Correct horse 1!', 'garbage')).resolves.toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it('still verifies the scrypt hashes of older accounts and asks for them to be rehashed', async () => {
    // Made by the previous hashPassword (scrypt N=16384, r=8, p=1) for the password "Legacy password 1!".
    const legacy = 'scrypt$16384$8$1$gr5pQdrZZs9IXnQtr1yD8w$9_ym_wlxx4je2y5Q8fsaGrJgyxwT4R41Fb-2ZlAopxI';
    await expect(verifyPassword('Legacy password 1!', legacy)).resolves.toBe(true);
    await expect(verifyPassword('Legacy password 2!', legacy)).resolves.toBe(false);
    expect(needsRehash(legacy)).toBe(true);
  });
});

describe('password policy', () => {
  const policy = { minLength: 12, requireClasses: true };

  it('names every rule a password breaks', () => {
    expect(passwordPolicyViolations('short', policy)).toEqual([
      'at least 12 characters',
      'an upper-case letter',
      'a digit',
      'a special character',
    ]);
    expect(passwordPolicyViolations('ALLUPPERCASE123!', policy)).toEqual(['a lower-case letter']);
    expect(passwordPolicyViolations('Long enough 12', policy)).toEqual(['a special character']);
  });

  it('accepts a password that meets every rule, and counts characters rather than bytes', () => {
    expect(passwordPolicyViolations('Correct horse 1!', policy)).toEqual([]);
    expect(passwordPolicyViolations('Ünïcödé pässwörd 9#', policy)).toEqual([]);
    expect(passwordPolicyViolations('abc', { minLength: 3, requireClasses: false })).toEqual([]);
  });
});
