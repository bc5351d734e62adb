import { SecretBox } from './secret-box.util';

/** The key id that values sealed before keys were configurable carry, and that SECRET_KEY fills by default. */
export const DEFAULT_KEY_ID = 'k1';

/** Key material by id, and the id that encrypts new values; every other key only opens older values. */
export interface SecretKeyring {
  currentKeyId: string;
  keys: Record<string, string>;
}

/** The encryption settings as the config lib loads them. */
export interface EncryptionSettings {
  /** ENCRYPTION_CURRENT_KEY_ID; unset means the last key listed. */
  encryptionCurrentKeyId?: string;
  /** Parsed ENCRYPTION_KEYS; empty means "one key, `k1`, from SECRET_KEY". */
  encryptionKeys: Record<string, string>;
  secretKey: string;
}

/** The keyring the settings describe: ENCRYPTION_KEYS when set, else SECRET_KEY under id `k1`; throws when the current id is unknown. */
export function keyringFromSettings(settings: EncryptionSettings): SecretKeyring {
  const ids = Object.keys(settings.encryptionKeys);
  const keys = ids.length > 0 ? settings.encryptionKeys : { [DEFAULT_KEY_ID]: settings.secretKey };
  const currentKeyId = settings.encryptionCurrentKeyId ?? Object.keys(keys).at(-1)!;
  if (!(currentKeyId in keys))
    throw new Error(`ENCRYPTION_CURRENT_KEY_ID names no key: "${currentKeyId}" is not among ${Object.keys(keys).join(', ')}`);
  return { currentKeyId, keys };
}

/** A box for one purpose (`provider-credentials`, `workflow-environment`…) over a keyring. */
export function secretBoxFor(keyring: SecretKeyring, purpose: string): SecretBox {
  return new SecretBox(keyring.keys, keyring.currentKeyId, purpose);
}
