import { createHash } from 'node:crypto';
import { EndUserPseudonyms } from './pseudonym.util';

describe('EndUserPseudonyms', () => {
  const pseudonyms = new EndUserPseudonyms('a-secret-key-of-some-length-0123456789');

  it('is stable per workspace and differs across workspaces and users', () => {
    const a = pseudonyms.of('w1', 'ada@example.com');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(pseudonyms.of('w1', 'ada@example.com')).toBe(a);
    expect(new EndUserPseudonyms('a-secret-key-of-some-length-0123456789').of('w1', 'ada@example.com')).toBe(a);
    expect(pseudonyms.of('w2', 'ada@example.com')).not.toBe(a);
    expect(pseudonyms.of('w1', 'bob@example.com')).not.toBe(a);
    // The separator keeps (workspace, user) pairs apart that would concatenate alike.
    expect(pseudonyms.of('w1a', 'b')).not.toBe(pseudonyms.of('w1', 'ab'));
  });

  it('cannot be confirmed by hashing a guess without the key', () => {
    const a = pseudonyms.of('w1', 'ada@example.com');
    expect(a).not.toBe(createHash('sha256').update('w1\u0000ada@example.com').digest('hex'));
    expect(a).not.toContain('ada');
    expect(new EndUserPseudonyms('another-secret-key-of-some-length-012345').of('w1', 'ada@example.com')).not.toBe(a);
  });

  it('refuses an empty key', () => {
    expect(() => new EndUserPseudonyms('')).toThrow(/SECRET_KEY/);
  });
});
