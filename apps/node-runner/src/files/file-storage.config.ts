import { resolve } from 'node:path';
import type { StorageSettings } from '@weft/storage';
import type { NodeRunnerConfig } from '../node-runner.config';

/** The FileStorage uploaded files are read from: the gateway's store. */
export const UPLOADED_FILE_STORAGE = Symbol('UPLOADED_FILE_STORAGE');

// The same mapping as the gateway's storageSettings; a service may not import another service, and the
// storage lib does not know the config shape.
/** Where the storage config says uploads are; an S3 store without keys is refused at start. */
export function storageSettings(storage: NodeRunnerConfig['storage']): StorageSettings {
  if (storage.type === 'local') return { driver: 'local', rootDir: resolve(storage.localPath) };
  if (!storage.s3AccessKey || !storage.s3SecretKey) throw new Error('STORAGE_TYPE=s3 needs S3_ACCESS_KEY and S3_SECRET_KEY');
  return {
    accessKeyId: storage.s3AccessKey,
    bucket: storage.s3Bucket,
    driver: 's3',
    endpoint: storage.s3Endpoint,
    // S3-compatible stores (MinIO, Ceph, s3rver) need path-style URLs; AWS itself prefers bucket subdomains.
    forcePathStyle: storage.s3Endpoint !== undefined,
    region: storage.s3Region,
    secretAccessKey: storage.s3SecretKey,
  };
}
