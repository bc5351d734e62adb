import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type DocumentFile } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { FileStorage } from '@weft/storage';
import { FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from '../files/file-upload.config';
import { singleUploadedFile, storeKnowledgeDocument } from '../files/file-upload.service';
import type { UploadRequest } from '../files/upload-file.dto';
import { UploadFileRepository } from '../files/upload-file.repository';
import type { DatasetKeyContext } from './dataset-key.guard';

/** Knowledge API calls that need more than a pass-through to the rag service: documents' bytes go to shared storage first. */
@Injectable()
export class KnowledgeService {
  constructor(
    private readonly bus: MessageBus,
    private readonly files: UploadFileRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(FILE_UPLOAD_SETTINGS) private readonly settings: FileUploadSettings,
  ) {}

  /**
   * Creates (or, with `documentId`, updates) a document from text: the text is stored as a .txt upload,
   * as Dify does, so the rag service reads it from storage however large it is.
   */
  async fromText(key: DatasetKeyContext, datasetId: string, documentId: string | null, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { name, text, ...settings } = body as { name?: string; text?: string };
    let file: DocumentFile | null = null;
    if (typeof text === 'string') {
      const stem = (typeof name === 'string' && name ? name : 'document').replace(/[/\\]/g, '_');
      file = await storeKnowledgeDocument(this.deps(), key.workspaceId, key.accountId, { buffer: Buffer.from(text, 'utf8'), mimeType: 'text/plain', name: `${stem}.txt` });
    }
    return this.bus.request('kb.document.create.v1', {
      accountId: key.accountId,
      body: settings,
      datasetId,
      documentId,
      file,
      name: typeof name === 'string' ? name : null,
      text: null,
      workspaceId: key.workspaceId,
    });
  }

  /** Creates (or updates) a document from an uploaded file with the settings in the `data` field. */
  async fromFile(key: DatasetKeyContext, datasetId: string, documentId: string | null, upload: UploadRequest, settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    const incoming = singleUploadedFile(upload);
    if (!incoming.originalName) throw new DomainError('filename_not_exists_error', 'The specified filename does not exist.');
    const file = await storeKnowledgeDocument(this.deps(), key.workspaceId, key.accountId, { buffer: incoming.buffer, mimeType: incoming.mimeType, name: incoming.originalName });
    const { name, ...rest } = settings as { name?: unknown };
    return this.bus.request('kb.document.create.v1', {
      accountId: key.accountId,
      body: rest,
      datasetId,
      documentId,
      file,
      name: typeof name === 'string' && name ? name : null,
      text: null,
      workspaceId: key.workspaceId,
    });
  }

  private deps() {
    return { files: this.files, settings: this.settings, storage: this.storage };
  }
}
