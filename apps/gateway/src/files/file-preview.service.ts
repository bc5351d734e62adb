import { Inject, Injectable } from '@nestjs/common';
import { DomainError, isUuid } from '@weft/contracts';
import { FileNotFoundError, type FileStorage } from '@weft/storage';
import { FILE_LINK_SETTINGS, FILE_STORAGE } from './file-upload.config';
import { verifyFileLink, type FileLinkSettings } from './file-link.util';
import type { FilePreviewQuery } from './file-preview.dto';
import { UploadFileRepository } from './upload-file.repository';

/** A file a signed link opened: its bytes and what to serve them as. */
export interface PreviewedFile {
  bytes: Buffer;
  mimeType: string;
  name: string;
}

/** Dify's answer to a link whose signature does not hold, or whose file is gone: the two look the same. */
const notFound = () => new DomainError('not_found', 'File not found or signature is invalid');

/** Serves the files behind signed links (`/files/{id}/file-preview?timestamp&nonce&sign`), for as long as a link lasts. */
@Injectable()
export class FilePreviewService {
  constructor(
    private readonly files: UploadFileRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(FILE_LINK_SETTINGS) private readonly links: FileLinkSettings,
  ) {}

  async open(fileId: string, query: FilePreviewQuery): Promise<PreviewedFile> {
    const { nonce, sign, timestamp } = query;
    if (!nonce || !sign || !timestamp) throw new DomainError('invalid_param', 'Invalid request.');
    if (!isUuid(fileId) || !verifyFileLink(this.links, fileId, { nonce, sign, timestamp })) throw notFound();
    const file = await this.files.findForSignedLink(fileId);
    if (!file) throw notFound();
    try {
      return { bytes: await this.storage.get(file.storageKey), mimeType: file.mimeType, name: file.name };
    } catch (error) {
      if (error instanceof FileNotFoundError) throw notFound();
      throw error;
    }
  }
}
