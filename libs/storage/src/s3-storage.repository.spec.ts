import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { createFileStorage } from './create-file-storage.util';
import { FileNotFoundError, InvalidStorageKeyError } from './file-storage.exception';
import { S3StorageSettings } from './file-storage.types';
import { S3Storage } from './s3-storage.repository';

// s3rver is an in-process fake started here, not project infrastructure, so this runs as a unit test.
describe('S3Storage against s3rver', () => {
  const bucket = 'weft-test';
  let directory: string;
  let server: S3rver;
  let settings: S3StorageSettings;
  let storage: S3Storage;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'weft-s3rver-'));
    server = new S3rver({ address: '127.0.0.1', configureBuckets: [{ name: bucket }], directory, port: 0, silent: true });
    const { port } = await server.run();
    // s3rver checks request signatures against its fixed S3RVER/S3RVER credentials.
    settings = {
      accessKeyId: 'S3RVER',
      bucket,
      driver: 's3',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      region: 'us-east-1',
      secretAccessKey: 'S3RVER',
    };
    storage = new S3Storage(settings);
  });

  afterAll(async () => {
    storage?.destroy();
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('stores and reads back bytes', async () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13, ...Buffer.from('binary payload')]);
    await storage.put('workspaces/w1/uploads/a.bin', data, 'application/octet-stream');
    await expect(storage.get('workspaces/w1/uploads/a.bin')).resolves.toEqual(data);
  });

  it('streams an object, and refuses a missing key before any byte is read', async () => {
    const data = Buffer.concat([Buffer.from([0, 255, 13, 10]), Buffer.alloc(200_000, 7)]);
    await storage.put('stream/big.bin', data, 'application/octet-stream');
    const parts: Buffer[] = [];
    for await (const chunk of await storage.stream('stream/big.bin')) parts.push(chunk as Buffer);
    expect(Buffer.concat(parts)).toEqual(data);
    const error = await storage.stream('stream/missing.bin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileNotFoundError);
    expect(error).toMatchObject({ code: 'file_not_found', key: 'stream/missing.bin' });
    await expect(storage.stream('../escape.bin')).rejects.toBeInstanceOf(InvalidStorageKeyError);
  });

  it('replaces an object on a second put', async () => {
    await storage.put('replace.txt', Buffer.from('first version'), 'text/plain');
    await storage.put('replace.txt', Buffer.from('second'), 'text/plain');
    await expect(storage.get('replace.txt')).resolves.toEqual(Buffer.from('second'));
  });

  it('reports whether a key exists', async () => {
    await storage.put('exists/yes.txt', Buffer.from('x'));
    await expect(storage.exists('exists/yes.txt')).resolves.toBe(true);
    await expect(storage.exists('exists/no.txt')).resolves.toBe(false);
    await expect(storage.exists('exists')).resolves.toBe(false);
  });

  it('throws FileNotFoundError for a missing key', async () => {
    const error = await storage.get('missing/file.pdf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileNotFoundError);
    expect(error).toMatchObject({ code: 'file_not_found', key: 'missing/file.pdf' });
  });

  it('deletes an object, and deleting a missing key is not an error', async () => {
    await storage.put('delete/me.txt', Buffer.from('x'));
    await storage.delete('delete/me.txt');
    await expect(storage.exists('delete/me.txt')).resolves.toBe(false);
    await expect(storage.get('delete/me.txt')).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(storage.delete('delete/me.txt')).resolves.toBeUndefined();
  });

  it('refuses invalid keys with the same rules as the local driver', async () => {
    await expect(storage.put('../escape.txt', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidStorageKeyError);
    await expect(storage.get('/abs.txt')).rejects.toBeInstanceOf(InvalidStorageKeyError);
  });

  it('is what createFileStorage builds for the s3 driver, sharing the bucket', async () => {
    const created = createFileStorage(settings);
    expect(created).toBeInstanceOf(S3Storage);
    try {
      await created.put('factory.txt', Buffer.from('via factory'), 'text/plain');
      await expect(storage.get('factory.txt')).resolves.toEqual(Buffer.from('via factory'));
    } finally {
      (created as S3Storage).destroy();
    }
  });
});
