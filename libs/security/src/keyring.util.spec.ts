import { DEFAULT_KEY_ID, keyringFromSettings, secretBoxFor } from './keyring.util';
import { SecretBox, sealedKeyId } from './secret-box.util';

const OLD = 'o'.repeat(40);
const NEW = 'n'.repeat(40);

describe('keyringFromSettings', () => {
  it('falls back to SECRET_KEY under id k1, which values sealed before keys were configurable carry', () => {
    const keyring = keyringFromSettings({ encryptionKeys: {}, secretKey: 'the-secret-key' });
    expect(keyring).toEqual({ currentKeyId: DEFAULT_KEY_ID, keys: { k1: 'the-secret-key' } });
    const before = new SecretBox({ k1: 'the-secret-key' }, 'k1', 'provider-credentials').seal('sk-1', ['ws', 'openai']);
    expect(secretBoxFor(keyring, 'provider-credentials').open(before, ['ws', 'openai'])).toBe('sk-1');
  });

  it('encrypts with the last key listed unless a current id is named', () => {
    expect(keyringFromSettings({ encryptionKeys: { k1: OLD, k2: NEW }, secretKey: 'x' }).currentKeyId).toBe('k2');
    expect(keyringFromSettings({ encryptionCurrentKeyId: 'k1', encryptionKeys: { k1: OLD, k2: NEW }, secretKey: 'x' }).currentKeyId).toBe(
      'k1',
    );
  });

  it('refuses a current id that names no key', () => {
    expect(() => keyringFromSettings({ encryptionCurrentKeyId: 'k9', encryptionKeys: { k1: OLD }, secretKey: 'x' })).toThrow(
      /"k9" is not among k1/,
    );
    expect(() => keyringFromSettings({ encryptionCurrentKeyId: 'k2', encryptionKeys: {}, secretKey: 'x' })).toThrow(/"k2"/);
  });

  it('reseals values of an older key under the current one, and leaves current values alone', () => {
    const before = secretBoxFor(keyringFromSettings({ encryptionKeys: { k1: OLD }, secretKey: 'x' }), 'p');
    const after = secretBoxFor(keyringFromSettings({ encryptionKeys: { k1: OLD, k2: NEW }, secretKey: 'x' }), 'p');
    const old = before.seal('value', ['row']);
    const resealed = after.reseal(old, ['row']);
    expect(sealedKeyId(resealed)).toBe('k2');
    expect(after.reseal(resealed, ['row'])).toBe(resealed);
    const onlyNew = secretBoxFor(keyringFromSettings({ encryptionKeys: { k2: NEW }, secretKey: 'x' }), 'p');
    expect(onlyNew.open(resealed, ['row'])).toBe('value');
    expect(() => onlyNew.open(old, ['row'])).toThrow(/unknown key "k1"/);
  });
});
