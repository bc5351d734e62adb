import { FileStorage, StorageSettings } from './file-storage.types';
import { LocalDiskStorage } from './local-disk-storage.repository';
import { S3Storage } from './s3-storage.repository';

/** Builds the FileStorage the settings name. */
export function createFileStorage(settings: StorageSettings): FileStorage {
  switch (settings.driver) {
    case 'local':
      return new LocalDiskStorage(settings.rootDir);
    case 's3':
      return new S3Storage(settings);
  }
}
