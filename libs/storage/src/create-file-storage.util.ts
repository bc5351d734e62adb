import { FileStorage, StorageSettings } from './file-storage.types';
import { LocalDiskStorage } from './local-disk-storage.repository';

/**
 * Builds the FileStorage the settings name. The S3 driver (and the AWS SDK, a tenth of a second to load) is
 * loaded only when a deployment uses it.
 */
export function createFileStorage(settings: StorageSettings): FileStorage {
  switch (settings.driver) {
    case 'local':
      return new LocalDiskStorage(settings.rootDir);
    case 's3':
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above)
      return new (require('./s3-storage.repository') as typeof import('./s3-storage.repository')).S3Storage(settings);
  }
}
