import { InvalidStorageKeyError } from './file-storage.exception';
import { assertValidStorageKey } from './storage-key.util';

describe('assertValidStorageKey', () => {
  it.each(['a', 'workspaces/w-1/uploads/report_v2.final.pdf', 'UPPER/lower/0-9_.x'])('accepts %s', (key) => {
    expect(() => assertValidStorageKey(key)).not.toThrow();
  });

  it.each(
    [
      ['', 'empty'],
      ['../etc/passwd', 'dot'],
      ['a/../../b', 'dot'],
      ['a/./b', 'dot'],
      ['a/.hidden', 'dot'],
      ['/etc/passwd', 'relative'],
      ['a//b', 'empty segment'],
      ['a/', 'empty segment'],
      ['a\\..\\b', 'only letters'],
      ['C:/x', 'only letters'],
      ['with space', 'only letters'],
      ['ümlaut', 'only letters'],
      ['x'.repeat(1025), 'longer than 1024'],
    ].map(([key, reason]) => [key.length > 40 ? `${key.length} characters` : JSON.stringify(key), reason, key]),
  )('refuses %s (%s)', (_title, reason, key) => {
    let error: unknown;
    try {
      assertValidStorageKey(key);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidStorageKeyError);
    expect(error).toMatchObject({ code: 'invalid_storage_key', key });
    expect((error as Error).message).toContain(reason);
  });
});
