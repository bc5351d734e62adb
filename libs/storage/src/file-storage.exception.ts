/** Why a storage call was refused or failed. */
export type StorageErrorCode = 'file_not_found' | 'invalid_storage_key';

/** Base of the errors FileStorage implementations throw on purpose; callers map `code` to their own responses. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** Nothing is stored under the key. */
export class FileNotFoundError extends StorageError {
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super('file_not_found', `No file is stored under "${key}".`, options);
    this.name = 'FileNotFoundError';
  }
}

/** The key breaks the rules in assertValidStorageKey. */
export class InvalidStorageKeyError extends StorageError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super('invalid_storage_key', `Invalid storage key "${key}": ${reason}`);
    this.name = 'InvalidStorageKeyError';
  }
}
