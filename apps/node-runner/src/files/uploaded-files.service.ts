import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { FileNotFoundError, type FileStorage } from '@weft/storage';
import { UPLOADED_FILE_STORAGE } from './file-storage.config';

const LOOKUP_TIMEOUT_MS = 5_000;

/** An uploaded file's bytes with what the gateway recorded about it. */
export interface UploadedFileContent {
  data: Buffer;
  /** Lower case, without the dot. */
  extension: string;
  mimeType: string;
  name: string;
  size: number;
}

/** Reads uploaded files of a workspace; WorkflowFileReader depends on this, not on the bus and storage. */
export interface UploadedFileSource {
  /** The file's bytes; throws UploadedFileNotFoundError or UploadedFileUnavailableError. */
  read(workspaceId: string, uploadFileId: string): Promise<UploadedFileContent>;
}

/** The workspace has no such upload, or its bytes are gone from the store. */
export class UploadedFileNotFoundError extends Error {
  override readonly name = 'UploadedFileNotFoundError';

  constructor(readonly uploadFileId: string) {
    super(`Upload file "${uploadFileId}" not found.`);
  }
}

/** The gateway or the file store could not be asked. */
export class UploadedFileUnavailableError extends Error {
  override readonly name = 'UploadedFileUnavailableError';

  constructor(
    readonly uploadFileId: string,
    reason: string,
  ) {
    super(`Could not read upload file "${uploadFileId}": ${reason}`);
  }
}

/**
 * Uploaded files for nodes: the gateway, which owns the upload records, says where the file is stored
 * (only within the job's workspace), then the bytes come straight from the shared file storage.
 * Nothing is cached: files can be large, and a record lookup is cheap next to reading them.
 */
@Injectable()
export class UploadedFilesService implements UploadedFileSource, OnModuleDestroy {
  constructor(
    private readonly bus: MessageBus,
    @Inject(UPLOADED_FILE_STORAGE) private readonly storage: FileStorage,
  ) {}

  onModuleDestroy(): void {
    this.storage.destroy?.();
  }

  async read(workspaceId: string, uploadFileId: string): Promise<UploadedFileContent> {
    let info;
    try {
      info = await this.bus.request('gateway.upload-file.v1', { uploadFileId, workspaceId }, { timeoutMs: LOOKUP_TIMEOUT_MS });
    } catch (error) {
      // A malformed id fails the contract's schema; it names no upload either.
      if (error instanceof DomainError && (error.code === 'not_found' || error.code === 'invalid_param'))
        throw new UploadedFileNotFoundError(uploadFileId);
      throw new UploadedFileUnavailableError(uploadFileId, `the gateway did not answer (${(error as Error).message})`);
    }
    try {
      const data = await this.storage.get(info.storageKey);
      return { data, extension: info.extension, mimeType: info.mimeType, name: info.name, size: info.size };
    } catch (error) {
      if (error instanceof FileNotFoundError) throw new UploadedFileNotFoundError(uploadFileId);
      throw new UploadedFileUnavailableError(uploadFileId, `the file store failed (${(error as Error).message})`);
    }
  }
}
