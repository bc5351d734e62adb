import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, isUuid } from '@weft/contracts';
import { FileNotFoundError, type FileStorage } from '@weft/storage';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { FILE_STORAGE } from './file-upload.config';
import { parseAsAttachment, previewHeaders } from './upload-preview.util';
import { UploadPreviewErrors } from './upload-preview.exception';
import { UploadFileRepository } from './upload-file.repository';

/** A preview ready to send: its headers and its bytes as they are read from storage. */
export interface UploadPreview {
  body: Readable;
  headers: Record<string, string>;
}

/**
 * Dify's `GET /v1/files/{file_id}/preview`: the bytes of a file an end user of the key's app uploaded,
 * streamed from storage with headers that keep it from acting in the API's origin (see upload-preview.util).
 * Another app's or workspace's file, a knowledge document and an unknown id all answer the same 404.
 */
@Injectable()
export class UploadPreviewService {
  private readonly logger = new Logger(UploadPreviewService.name);

  constructor(
    private readonly files: UploadFileRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
  ) {}

  async preview(ctx: AppKeyContext, fileId: string, asAttachmentParam: unknown): Promise<UploadPreview> {
    // Dify's route only matches a UUID (`<uuid:file_id>`); anything else is Flask's own 404.
    if (!isUuid(fileId)) throw UploadPreviewErrors.malformedId();
    const asAttachment = parseAsAttachment(asAttachmentParam);
    if (asAttachment === null) throw new DomainError('invalid_param', 'as_attachment: Input should be a valid boolean');
    const row = await this.files.findAppUpload(ctx.app.workspaceId, ctx.app.id, fileId);
    if (!row) throw UploadPreviewErrors.notFound();
    let body: Readable;
    try {
      body = await this.storage.stream(row.storageKey);
    } catch (error) {
      if (!(error instanceof FileNotFoundError)) throw error;
      this.logger.warn(`Upload "${row.id}" has a row but no bytes in storage (key "${row.storageKey}")`);
      throw UploadPreviewErrors.notFound();
    }
    return { body, headers: previewHeaders(row, asAttachment) };
  }
}
