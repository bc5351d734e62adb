import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage } from './create-file-storage.util';
import { FileNotFoundError, InvalidStorageKeyError } from './file-storage.exception';
import { LocalDiskStorage } from './local-disk-storage.repository';

describe('LocalDiskStorage', () => {
  let root: string;
  let storage: LocalDiskStorage;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'weft-storage-'));
    storage = new LocalDiskStorage(join(root, 'files'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores and reads back bytes under a nested key, creating the folders', async () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13]);
    await storage.put('workspaces/w1/uploads/a.bin', data, 'application/octet-stream');
    await expect(storage.get('workspaces/w1/uploads/a.bin')).resolves.toEqual(data);
    await expect(readFile(join(root, 'files/workspaces/w1/uploads/a.bin'))).resolves.toEqual(data);
    await expect(storage.exists('workspaces/w1/uploads/a.bin')).resolves.toBe(true);
  });

  it('replaces a file and leaves no temporary files behind', async () => {
    await storage.put('doc.txt', Buffer.from('first version'));
    await storage.put('doc.txt', Buffer.from('second'));
    await expect(storage.get('doc.txt')).resolves.toEqual(Buffer.from('second'));
    await expect(readdir(join(root, 'files'))).resolves.toEqual(['doc.txt']);
  });

  it('throws FileNotFoundError for a missing key and for a key that is only a folder', async () => {
    await storage.put('folder/file.txt', Buffer.from('x'));
    for (const key of ['missing.txt', 'folder', 'folder/file.txt/below']) {
      const error = await storage.get(key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileNotFoundError);
      expect(error).toMatchObject({ code: 'file_not_found', key });
      await expect(storage.exists(key)).resolves.toBe(false);
    }
  });

  it('streams a file, and refuses a missing key or a folder before any byte is read', async () => {
    const data = Buffer.concat([Buffer.from([0, 255, 13, 10]), Buffer.alloc(200_000, 7)]);
    await storage.put('folder/big.bin', data);
    const parts: Buffer[] = [];
    for await (const chunk of await storage.stream('folder/big.bin')) parts.push(chunk as Buffer);
    expect(Buffer.concat(parts)).toEqual(data);
    for (const key of ['missing.bin', 'folder', 'folder/big.bin/below']) {
      const error = await storage.stream(key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileNotFoundError);
      expect(error).toMatchObject({ code: 'file_not_found', key });
    }
    await expect(storage.stream('../outside.bin')).rejects.toBeInstanceOf(InvalidStorageKeyError);
  });

  it('deletes a file, and deleting a missing key is not an error', async () => {
    await storage.put('a/b.txt', Buffer.from('x'));
    await storage.delete('a/b.txt');
    await expect(storage.exists('a/b.txt')).resolves.toBe(false);
    await expect(storage.delete('a/b.txt')).resolves.toBeUndefined();
    await expect(storage.delete('never/was.txt')).resolves.toBeUndefined();
  });

  it('refuses keys that would leave the root folder, before touching the disk', async () => {
    await writeFile(join(root, 'secret.txt'), 'outside');
    for (const key of ['../secret.txt', 'a/../../secret.txt', join(root, 'secret.txt')]) {
      await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.exists(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.put(key, Buffer.from('overwritten'))).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    }
    await expect(readFile(join(root, 'secret.txt'), 'utf8')).resolves.toBe('outside');
  });

  it('is what createFileStorage builds for the local driver', async () => {
    const created = createFileStorage({ driver: 'local', rootDir: join(root, 'files') });
    expect(created).toBeInstanceOf(LocalDiskStorage);
    await created.put('x.txt', Buffer.from('via factory'));
    await expect(storage.get('x.txt')).resolves.toEqual(Buffer.from('via factory'));
  });
});
