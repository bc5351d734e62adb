import { Injectable } from '@nestjs/common';
import { FileErrors, type RequestOf, type ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { UploadFileRepository } from './upload-file.repository';

/** Tells node runners where an uploaded file's bytes are stored, only within the file's own workspace. */
@Injectable()
export class UploadFileHandler {
  constructor(private readonly files: UploadFileRepository) {}

  @OnRequest('gateway.upload-file.v1')
  async uploadFile(req: RequestOf<'gateway.upload-file.v1'>): Promise<ResponseOf<'gateway.upload-file.v1'>> {
    const row = await this.files.findInWorkspace(req.workspaceId, req.uploadFileId);
    if (!row) throw FileErrors.uploadNotFound(req.uploadFileId);
    return { extension: row.extension, mimeType: row.mimeType, name: row.name, size: row.size, storageKey: row.storageKey };
  }
}
