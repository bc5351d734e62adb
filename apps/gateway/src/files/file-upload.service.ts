import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { FileErrors } from '@weft/contracts';
import type { FileStorage } from '@weft/storage';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from './file-upload.config';
import { SUPPORTED_DOCUMENT_EXTENSIONS } from '@weft/documents';
import type { DocumentFile } from '@weft/contracts';
import { assertUploadableExtension, extensionOf } from './file-type.util';
import { toUploadFileResponse, type IncomingFile, type UploadFileResponse, type UploadRequest } from './upload-file.dto';
import { UploadFileRepository } from './upload-file.repository';

/** The end user Dify files an upload under when the caller names none. */
export const DEFAULT_END_USER = 'DEFAULT-USER';

const BYTES_PER_MB = 1024 * 1024;
// Dify shortens longer names the same way, keeping the extension.
const MAX_NAME_LENGTH = 200;

/** Checks an upload against Dify's rules, stores its bytes and records it for the app's workspace. */
@Injectable()
export class FileUploadService implements OnModuleDestroy {
  private readonly logger = new Logger(FileUploadService.name);

  constructor(
    private readonly files: UploadFileRepository,
    private readonly endUsers: EndUserService,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(FILE_UPLOAD_SETTINGS) private readonly settings: FileUploadSettings,
  ) {}

  onModuleDestroy(): void {
    this.storage.destroy?.();
  }

  async upload(ctx: AppKeyContext, request: UploadRequest): Promise<UploadFileResponse> {
    const file = singleFile(request);
    const name = checkedName(file.originalName);
    const extension = extensionOf(name);
    assertUploadableExtension(extension);
    // The multipart parser already stops at the limit; this keeps the rule true whatever parsed the body.
    if (file.buffer.length > this.settings.maxBytes * BYTES_PER_MB) throw FileErrors.tooLarge();

    const { workspaceId } = ctx.app;
    const endUserId = await this.endUsers.resolve(workspaceId, ctx.app.id, request.user ?? DEFAULT_END_USER);
    const id = randomUUID();
    // The key holds only our own uuid and an allow-listed extension, never the client's name.
    const storageKey = `upload_files/${workspaceId}/${id}.${extension}`;
    await this.storage.put(storageKey, file.buffer, file.mimeType);
    try {
      const row = await this.files.insert({
        createdBy: endUserId,
        createdByRole: 'end_user',
        extension,
        id,
        mimeType: file.mimeType,
        name: shortened(name, extension),
        size: file.buffer.length,
        storageKey,
        workspaceId,
      });
      this.logger.log(`File "${id}" (${row.size} bytes) uploaded to app "${ctx.app.id}" by end user "${endUserId}"`);
      return toUploadFileResponse(row);
    } catch (error) {
      // No row points at the bytes, so nothing would ever find or delete them.
      await this.storage
        .delete(storageKey)
        .catch((cleanup: unknown) => this.logger.warn({ err: cleanup }, `Orphaned upload "${storageKey}" could not be deleted`));
      throw error;
    }
  }
}

const KNOWLEDGE_EXTENSIONS = new Set(SUPPORTED_DOCUMENT_EXTENSIONS.map((e) => e.replace(/^\./, '')));

/** Where a knowledge document's bytes went, for the rag service to read. */
export type StoredDocument = DocumentFile;

function singleFile({ files, namelessFile }: UploadRequest): IncomingFile {
  const file = files.find((f) => f.fieldName === 'file');
  // Dify (werkzeug) sees a `file` part with an empty filename as a file without a name. busboy hands such a
  // part over as a form field when it has a text type and drops it when it is binary, so only the first case
  // can be told apart from a request that sent no file at all.
  if (!file && namelessFile) throw FileErrors.filenameMissing();
  if (!file) throw FileErrors.noneUploaded();
  if (files.length > 1) throw FileErrors.tooMany();
  return file;
}

/**
 * Stores a knowledge document (an uploaded file, or the text of create-by-text as a .txt file) for a
 * workspace, recorded as uploaded by an account; only types the rag service can extract text from are
 * accepted (415 otherwise), within the upload size limit (413).
 */
export async function storeKnowledgeDocument(
  deps: { files: UploadFileRepository; settings: FileUploadSettings; storage: FileStorage },
  workspaceId: string,
  createdBy: string | null,
  file: { buffer: Buffer; mimeType: string; name: string },
): Promise<StoredDocument> {
  const name = checkedName(file.name);
  const extension = extensionOf(name);
  if (!KNOWLEDGE_EXTENSIONS.has(extension)) throw FileErrors.typeNotAllowed();
  if (file.buffer.length > deps.settings.maxBytes * BYTES_PER_MB) throw FileErrors.tooLarge();
  const id = randomUUID();
  const storageKey = `upload_files/${workspaceId}/${id}.${extension}`;
  await deps.storage.put(storageKey, file.buffer, file.mimeType);
  try {
    const row = await deps.files.insert({
      createdBy,
      createdByRole: 'account',
      extension,
      id,
      mimeType: file.mimeType,
      name: shortened(name, extension),
      size: file.buffer.length,
      storageKey,
      workspaceId,
    });
    return { extension, mimeType: row.mimeType, name: row.name, size: row.size, storageKey, uploadFileId: id };
  } catch (error) {
    await deps.storage.delete(storageKey).catch(() => undefined);
    throw error;
  }
}

/** The one `file` part of a multipart request, checked as Dify checks it. */
export function singleUploadedFile(request: UploadRequest): IncomingFile {
  return singleFile(request);
}

function checkedName(name: string | undefined): string {
  if (!name) throw FileErrors.filenameMissing();
  if (name.includes('/') || name.includes('\\')) throw FileErrors.filenameInvalid();
  return name;
}

function shortened(name: string, extension: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const stem = name.slice(0, name.length - extension.length - 1).slice(0, MAX_NAME_LENGTH - extension.length - 1);
  return `${stem}.${extension}`;
}
