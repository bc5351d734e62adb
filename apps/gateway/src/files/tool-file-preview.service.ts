import { Inject, Injectable } from '@nestjs/common';
import { DomainError, FileErrors, isUuid } from '@weft/contracts';
import { FileNotFoundError, type FileStorage } from '@weft/storage';
import { verifyFileLink, type FileLinkSettings } from './file-link.util';
import type { FilePreviewQuery } from './file-preview.dto';
import { FILE_LINK_SETTINGS, FILE_STORAGE } from './file-upload.config';
import { ToolFileRepository } from './tool-file.repository';
import type { PreviewedFile } from './file-preview.service';

/**
 * Serves tool files behind signed links (`/files/tools/{id}{extension}?timestamp&nonce&sign`), Dify's
 * `ToolFilePreviewApi`: a signature that does not hold (forged, expired, another file's) is 403 `Invalid
 * request.`; a file whose signature holds but that is gone is Dify's 415 `unsupported_file_type`, as its
 * controller turns every failure to open the file into that error.
 */
@Injectable()
export class ToolFilePreviewService {
  constructor(
    private readonly files: ToolFileRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(FILE_LINK_SETTINGS) private readonly links: FileLinkSettings,
  ) {}

  async open(fileName: string, query: FilePreviewQuery): Promise<PreviewedFile> {
    const { nonce, sign, timestamp } = query;
    if (!nonce || !sign || !timestamp) throw new DomainError('invalid_param', 'timestamp, nonce and sign are required.');
    // Dify's route is `/files/tools/<uuid:file_id>.<string:extension>`: anything else is not a route.
    const match = /^([0-9a-fA-F-]{36})\.([A-Za-z0-9]{1,10})$/.exec(fileName);
    if (!match || !isUuid(match[1]!)) throw new DomainError('not_found', 'The requested URL was not found on the server.');
    const fileId = match[1]!.toLowerCase();
    if (!verifyFileLink(this.links, fileId, { nonce, sign, timestamp })) throw new DomainError('forbidden', 'Invalid request.');
    const file = await this.files.findForSignedLink(fileId);
    if (!file) throw FileErrors.typeNotAllowed();
    try {
      return { bytes: await this.storage.get(file.storageKey), mimeType: file.mimeType, name: file.name };
    } catch (error) {
      if (error instanceof FileNotFoundError) throw FileErrors.typeNotAllowed();
      throw error;
    }
  }
}
