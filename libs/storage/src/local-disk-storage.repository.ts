import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { FileNotFoundError } from './file-storage.exception';
import { FileStorage } from './file-storage.types';
import { assertValidStorageKey } from './storage-key.util';

/** Keeps each file at rootDir/<key>; the content type is not stored. */
export class LocalDiskStorage implements FileStorage {
  private readonly rootDir: string;

  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir);
  }

  async put(key: string, data: Buffer, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Written beside the target so the rename stays on one file system and is atomic; the leading dot
    // keeps the name out of the key space (keys cannot start a segment with a dot).
    const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
    try {
      const handle = await open(temporary, 'wx');
      try {
        await handle.writeFile(data);
        // Flushed before the rename, so a crash cannot leave a renamed but empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      // EISDIR: the key is a prefix of other keys, which on S3 would not be an object either.
      if (hasCode(error, 'ENOENT', 'EISDIR', 'ENOTDIR')) throw new FileNotFoundError(key, { cause: error });
      throw error;
    }
  }

  async stream(key: string): Promise<Readable> {
    // Opened first, so a missing file is FileNotFoundError here rather than an error event mid-response.
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(key), 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new FileNotFoundError(key);
      }
    } catch (error) {
      if (error instanceof FileNotFoundError) throw error;
      if (hasCode(error, 'ENOENT', 'EISDIR', 'ENOTDIR')) throw new FileNotFoundError(key, { cause: error });
      throw error;
    }
    return handle.createReadStream();
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR')) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    if (await this.exists(key)) await rm(path, { force: true });
  }

  private pathOf(key: string): string {
    assertValidStorageKey(key);
    return join(this.rootDir, key);
  }
}

// Duck-typed rather than instanceof Error: under Jest, errors from node:fs come from another realm.
function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
  return code !== undefined && codes.includes(code);
}
