import { resolve } from 'node:path';
import type { ConfigOf, storageConfig } from '@weft/config';
import type { StorageSettings } from './file-storage.types';

/** Storage settings from the shared STORAGE_* config; an S3 store without keys stops the service at start. */
export function storageSettingsFromConfig(storage: ConfigOf<typeof storageConfig>): StorageSettings {
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
