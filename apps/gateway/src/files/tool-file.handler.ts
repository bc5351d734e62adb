import { Inject, Injectable } from '@nestjs/common';
import { FileErrors, toolFileStorageKey, type RequestOf, type ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import type { FileStorage } from '@weft/storage';
import { signedToolFileUrl, type FileLinkSettings } from './file-link.util';
import { FILE_LINK_SETTINGS, FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from './file-upload.config';
import { ToolFileRepository } from './tool-file.repository';

/**
 * Records the files tools produce and tells node runners where one is stored, only within the job's
 * workspace (both subjects come under the job grant, which the bus checks against `workspaceId`).
 */
@Injectable()
export class ToolFileHandler {
  constructor(
    private readonly files: ToolFileRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(FILE_LINK_SETTINGS) private readonly links: FileLinkSettings,
    @Inject(FILE_UPLOAD_SETTINGS) private readonly settings: FileUploadSettings,
  ) {}

  @OnRequest('gateway.tool-file.create.v1')
  async create(req: RequestOf<'gateway.tool-file.create.v1'>): Promise<ResponseOf<'gateway.tool-file.create.v1'>> {
    const limit = this.settings.toolFileMaxMb * 1024 * 1024;
    if (req.size > limit) throw FileErrors.toolFileTooLarge(req.size, limit);
    // The key comes from the workspace and the id, never from the caller, so a record cannot point elsewhere.
    const storageKey = toolFileStorageKey(req.workspaceId, req.id, req.extension);
    if (!(await this.storage.exists(storageKey))) throw FileErrors.toolFileNotStored(req.id);
    await this.files.insert({
      appId: req.appId,
      conversationId: req.conversationId,
      extension: req.extension,
      id: req.id,
      mimeType: req.mimeType,
      name: req.name,
      size: req.size,
      storageKey,
      workspaceId: req.workspaceId,
    });
    return { id: req.id, url: signedToolFileUrl(this.links, req.id, req.extension) };
  }

  @OnRequest('gateway.tool-file.v1')
  async lookup(req: RequestOf<'gateway.tool-file.v1'>): Promise<ResponseOf<'gateway.tool-file.v1'>> {
    const row = await this.files.findInWorkspace(req.workspaceId, req.toolFileId);
    if (!row) throw FileErrors.toolFileNotFound(req.toolFileId);
    return { extension: row.extension, mimeType: row.mimeType, name: row.name, size: row.size, storageKey: row.storageKey };
  }
}
