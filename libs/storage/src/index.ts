export * from './create-file-storage.util';
export * from './file-storage.exception';
export * from './file-storage.types';
export * from './local-disk-storage.repository';
export * from './storage-key.util';
export * from './storage-settings.util';
