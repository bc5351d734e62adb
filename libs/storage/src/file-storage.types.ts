import type { Readable } from 'node:stream';

/** A flat store of files addressed by keys such as "workspaces/w1/uploads/report.pdf". */
export interface FileStorage {
  /** Removes the file; removing a key that does not exist is not an error, as in S3. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Throws FileNotFoundError when nothing is stored under the key. */
  get(key: string): Promise<Buffer>;
  /**
   * The bytes as a stream, for serving a file without holding it in memory; throws FileNotFoundError (before
   * any byte is read) when nothing is stored under the key.
   */
  stream(key: string): Promise<Readable>;
  /** Stores the bytes under the key, replacing what was there; readers see the old or the new file, never a partial one. */
  put(key: string, data: Buffer, contentType?: string): Promise<void>;
  /** Releases what the store holds open (an S3 client's sockets); called once, at shutdown. */
  destroy?(): void;
}

/** Files under a directory of the local file system. */
export interface LocalStorageSettings {
  driver: 'local';
  rootDir: string;
}

/** Objects in one bucket of S3 or an S3-compatible store (MinIO, Ceph, R2 ...). */
export interface S3StorageSettings {
  accessKeyId: string;
  bucket: string;
  driver: 's3';
  /** Set for S3-compatible stores; unset means AWS. */
  endpoint?: string;
  /** Most S3-compatible stores need path-style URLs (endpoint/bucket/key) instead of bucket subdomains. */
  forcePathStyle: boolean;
  region: string;
  secretAccessKey: string;
}

/** Where files are kept; createFileStorage turns it into a FileStorage. */
export type StorageSettings = LocalStorageSettings | S3StorageSettings;
