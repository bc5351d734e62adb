import { InvalidStorageKeyError } from './file-storage.exception';

// S3's own limit on key length, in bytes; every allowed character is one byte.
const MAX_KEY_LENGTH = 1024;
// A segment may not start with a dot: that rules out "." and ".." and keeps hidden names free for the
// temporary files LocalDiskStorage writes next to the final ones.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * Throws InvalidStorageKeyError unless the key is "/"-separated segments of [A-Za-z0-9_.-], none empty and
 * none starting with a dot. The same rules hold for every driver, so a key valid on disk is valid on S3.
 */
export function assertValidStorageKey(key: string): void {
  if (key.length === 0) throw new InvalidStorageKeyError(key, 'it is empty.');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidStorageKeyError(key, `it is longer than ${MAX_KEY_LENGTH} characters.`);
  if (key.startsWith('/')) throw new InvalidStorageKeyError(key, 'it must be relative, not start with "/".');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidStorageKeyError(key, 'it has an empty segment ("//" or a trailing "/").');
    if (segment.startsWith('.'))
      throw new InvalidStorageKeyError(key, `segment "${segment}" starts with a dot; "." and ".." are not allowed.`);
    if (!SEGMENT.test(segment)) throw new InvalidStorageKeyError(key, 'only letters, digits, "/", "_", "." and "-" are allowed.');
  }
}
