import { Inject, Injectable } from '@nestjs/common';
import { BUILT_IN_METADATA_FIELDS, type DocumentFile, DomainError, FileErrors, isUuid } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { FileStorage } from '@weft/storage';
import type { SuccessResult } from '../docs/common.dto';
import { signedFileUrl, type FileLinkSettings } from '../files/file-link.util';
import { FILE_LINK_SETTINGS, FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from '../files/file-upload.config';
import { singleUploadedFile, storeKnowledgeDocument } from '../files/file-upload.service';
import type { UploadRequest } from '../files/upload-file.dto';
import { UploadFileRepository } from '../files/upload-file.repository';
import type { DatasetKeyContext } from './dataset-key.guard';
import { queryTagIds } from './knowledge.dto';
import { KnowledgeRepository } from './knowledge.repository';
import type {
  BuiltInFields,
  ChildChunkAnswer,
  ChildChunkPage,
  ChildChunksQuery,
  CreateSegments,
  DatasetResponse,
  DatasetPage,
  DatasetsQuery,
  DocumentAction,
  DocumentCreated,
  DocumentPage,
  DocumentResponse,
  DocumentsQuery,
  DocumentUploadFile,
  IndexingStatus,
  MetadataField,
  MetadataList,
  RetrieveRequest,
  RetrieveResponse,
  SegmentAnswer,
  SegmentPage,
  SegmentsCreated,
  SegmentsQuery,
  TextDocument,
  UpdateSegment,
} from './knowledge.dto';

/**
 * The rag service's answer as the Dify shape the edge documents (knowledge.dto.ts). The contracts carry
 * Dify's objects as free-form JSON, built by the rag service; the gateway relays them unchanged, without
 * parsing them a second time, and the end-to-end tests check every real answer against the schema.
 */
function relayed<T>(answer: object): T {
  return answer as T;
}

/**
 * Dify's Knowledge API (dataset key) over the rag service, which holds the knowledge: every call names the
 * key's workspace, so another workspace's ids answer 404. Documents' bytes go to shared storage first.
 */
@Injectable()
export class KnowledgeService {
  constructor(
    private readonly bus: MessageBus,
    private readonly files: UploadFileRepository,
    private readonly knowledge: KnowledgeRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(FILE_UPLOAD_SETTINGS) private readonly settings: FileUploadSettings,
    @Inject(FILE_LINK_SETTINGS) private readonly links: FileLinkSettings,
  ) {}

  async createDataset(key: DatasetKeyContext, body: Record<string, unknown>): Promise<DatasetResponse> {
    return relayed(await this.bus.request('kb.dataset.create.v1', { accountId: key.accountId, body, workspaceId: key.workspaceId }));
  }

  async listDatasets(key: DatasetKeyContext, query: DatasetsQuery): Promise<DatasetPage> {
    return relayed(
      await this.bus.request('kb.dataset.list.v1', {
        keyword: query.keyword ?? null,
        limit: query.limit,
        page: query.page,
        tagIds: queryTagIds(query),
        workspaceId: key.workspaceId,
      }),
    );
  }

  async getDataset(key: DatasetKeyContext, datasetId: string): Promise<DatasetResponse> {
    return relayed(await this.bus.request('kb.dataset.get.v1', { datasetId, workspaceId: key.workspaceId }));
  }

  async updateDataset(key: DatasetKeyContext, datasetId: string, body: Record<string, unknown>): Promise<DatasetResponse> {
    return relayed(
      await this.bus.request('kb.dataset.update.v1', { accountId: key.accountId, body, datasetId, workspaceId: key.workspaceId }),
    );
  }

  async deleteDataset(key: DatasetKeyContext, datasetId: string): Promise<void> {
    await this.bus.request('kb.dataset.delete.v1', { datasetId, workspaceId: key.workspaceId });
  }

  /**
   * Creates (or, with `documentId`, updates) a document from text: the text is stored as a .txt upload,
   * as Dify does, so the rag service reads it from storage however large it is.
   */
  async fromText(key: DatasetKeyContext, datasetId: string, documentId: string | null, body: TextDocument): Promise<DocumentCreated> {
    const { name, text, ...settings } = body as { name?: string; text?: string };
    let file: DocumentFile | null = null;
    if (typeof text === 'string') {
      const stem = (typeof name === 'string' && name ? name : 'document').replace(/[/\\]/g, '_');
      file = await storeKnowledgeDocument(this.deps(), key.workspaceId, key.accountId, {
        buffer: Buffer.from(text, 'utf8'),
        mimeType: 'text/plain',
        name: `${stem}.txt`,
      });
    }
    const created = await this.bus.request('kb.document.create.v1', {
      accountId: key.accountId,
      body: settings,
      datasetId,
      documentId,
      file,
      name: typeof name === 'string' ? name : null,
      text: null,
      uploader: await this.knowledge.memberName(key.workspaceId, key.accountId),
      workspaceId: key.workspaceId,
    });
    return relayed(created);
  }

  /**
   * Creates (or updates) a document from an uploaded file with the settings in the `data` field. An update
   * may come without a file, as in Dify: the document keeps its source and is indexed again with the settings.
   */
  async fromFile(
    key: DatasetKeyContext,
    datasetId: string,
    documentId: string | null,
    upload: UploadRequest,
    settings: Record<string, unknown>,
  ): Promise<DocumentCreated> {
    const keepSource = documentId !== null && upload.files.length === 0 && !upload.namelessFile;
    let file: DocumentFile | null = null;
    if (!keepSource) {
      const incoming = singleUploadedFile(upload);
      if (!incoming.originalName) throw FileErrors.filenameMissing();
      file = await storeKnowledgeDocument(this.deps(), key.workspaceId, key.accountId, {
        buffer: incoming.buffer,
        mimeType: incoming.mimeType,
        name: incoming.originalName,
      });
    }
    const { name, ...rest } = settings as { name?: unknown };
    const created = await this.bus.request('kb.document.create.v1', {
      accountId: key.accountId,
      body: rest,
      datasetId,
      documentId,
      file,
      name: typeof name === 'string' && name ? name : null,
      text: null,
      uploader: await this.knowledge.memberName(key.workspaceId, key.accountId),
      workspaceId: key.workspaceId,
    });
    return relayed(created);
  }

  async indexingStatus(key: DatasetKeyContext, datasetId: string, batch: string): Promise<IndexingStatus> {
    return relayed(await this.bus.request('kb.document.indexing-status.v1', { batch, datasetId, workspaceId: key.workspaceId }));
  }

  async listDocuments(key: DatasetKeyContext, datasetId: string, query: DocumentsQuery): Promise<DocumentPage> {
    const page = await this.bus.request('kb.document.list.v1', {
      datasetId,
      keyword: query.keyword ?? null,
      limit: query.limit,
      page: query.page,
      status: query.status ?? null,
      workspaceId: key.workspaceId,
    });
    return relayed(page);
  }

  async setDocumentStatus(key: DatasetKeyContext, datasetId: string, action: DocumentAction, documentIds: string[]): Promise<void> {
    await this.bus.request('kb.document.set-status.v1', { action, datasetId, documentIds, workspaceId: key.workspaceId });
  }

  async setDocumentMetadata(key: DatasetKeyContext, datasetId: string, body: Record<string, unknown>): Promise<SuccessResult> {
    return relayed(
      await this.bus.request('kb.metadata.v1', { body, datasetId, metadataId: null, op: 'set-documents', workspaceId: key.workspaceId }),
    );
  }

  async getDocument(key: DatasetKeyContext, datasetId: string, documentId: string): Promise<DocumentResponse> {
    return relayed(await this.bus.request('kb.document.get.v1', { datasetId, documentId, workspaceId: key.workspaceId }));
  }

  /**
   * The file a document was made from, with signed links to it (Dify's upload-file route): Dify's 400s for a
   * document that has no uploaded file, 404 for one whose file is gone.
   */
  async documentUploadFile(key: DatasetKeyContext, datasetId: string, documentId: string): Promise<DocumentUploadFile> {
    const document = await this.bus.request('kb.document.get.v1', { datasetId, documentId, workspaceId: key.workspaceId });
    const type = document['data_source_type'];
    if (type !== 'upload_file') throw new DomainError('invalid_param', `Document data source type (${String(type)}) is not upload_file.`);
    const info = document['data_source_info'] as { upload_file_id?: unknown } | null;
    const fileId = info?.upload_file_id;
    if (typeof fileId !== 'string' || !isUuid(fileId))
      throw new DomainError('invalid_param', 'Upload file id not found in document data source info.');
    const file = await this.files.findInWorkspace(key.workspaceId, fileId);
    if (!file) throw new DomainError('not_found', 'UploadFile not found.');
    const url = signedFileUrl(this.links, file.id);
    return {
      created_at: file.createdAt.getTime() / 1000,
      created_by: file.createdBy,
      download_url: `${url}&as_attachment=true`,
      extension: file.extension,
      id: file.id,
      mime_type: file.mimeType,
      name: file.name,
      size: file.size,
      url,
    };
  }

  async deleteDocument(key: DatasetKeyContext, datasetId: string, documentId: string): Promise<void> {
    await this.bus.request('kb.document.delete.v1', { datasetId, documentId, workspaceId: key.workspaceId });
  }

  async createSegments(
    key: DatasetKeyContext,
    datasetId: string,
    documentId: string,
    segments: CreateSegments['segments'],
  ): Promise<SegmentsCreated> {
    return relayed(await this.bus.request('kb.segment.create.v1', { datasetId, documentId, segments, workspaceId: key.workspaceId }));
  }

  /** A page of a document's segments; `status` may name one status or several. */
  async listSegments(key: DatasetKeyContext, datasetId: string, documentId: string, query: SegmentsQuery): Promise<SegmentPage> {
    const status = query.status === undefined ? [] : Array.isArray(query.status) ? query.status : [query.status];
    const page = await this.bus.request('kb.segment.list.v1', {
      datasetId,
      documentId,
      keyword: query.keyword ?? null,
      limit: query.limit,
      page: query.page,
      status,
      workspaceId: key.workspaceId,
    });
    return relayed(page);
  }

  async getSegment(key: DatasetKeyContext, datasetId: string, documentId: string, segmentId: string): Promise<SegmentAnswer> {
    return relayed(await this.bus.request('kb.segment.get.v1', { datasetId, documentId, segmentId, workspaceId: key.workspaceId }));
  }

  async updateSegment(
    key: DatasetKeyContext,
    datasetId: string,
    documentId: string,
    segmentId: string,
    segment: UpdateSegment['segment'],
  ): Promise<SegmentAnswer> {
    return relayed(
      await this.bus.request('kb.segment.update.v1', { datasetId, documentId, segment, segmentId, workspaceId: key.workspaceId }),
    );
  }

  async deleteSegment(key: DatasetKeyContext, datasetId: string, documentId: string, segmentId: string): Promise<void> {
    await this.bus.request('kb.segment.delete.v1', { datasetId, documentId, segmentId, workspaceId: key.workspaceId });
  }

  async listChildChunks(
    key: DatasetKeyContext,
    datasetId: string,
    documentId: string,
    segmentId: string,
    query: ChildChunksQuery,
  ): Promise<ChildChunkPage> {
    const page = await this.bus.request('kb.child-chunk.list.v1', {
      datasetId,
      documentId,
      keyword: query.keyword ?? null,
      limit: query.limit,
      page: query.page,
      segmentId,
      workspaceId: key.workspaceId,
    });
    return relayed(page);
  }

  async createChildChunk(
    key: DatasetKeyContext,
    datasetId: string,
    documentId: string,
    segmentId: string,
    content: string,
  ): Promise<ChildChunkAnswer> {
    return relayed(
      await this.bus.request('kb.child-chunk.create.v1', {
        childChunkId: null,
        content,
        datasetId,
        documentId,
        segmentId,
        workspaceId: key.workspaceId,
      }),
    );
  }

  async updateChildChunk(
    key: DatasetKeyContext,
    datasetId: string,
    documentId: string,
    segmentId: string,
    childChunkId: string,
    content: string,
  ): Promise<ChildChunkAnswer> {
    return relayed(
      await this.bus.request('kb.child-chunk.update.v1', {
        childChunkId,
        content,
        datasetId,
        documentId,
        segmentId,
        workspaceId: key.workspaceId,
      }),
    );
  }

  async deleteChildChunk(
    key: DatasetKeyContext,
    datasetId: string,
    documentId: string,
    segmentId: string,
    childChunkId: string,
  ): Promise<void> {
    await this.bus.request('kb.child-chunk.delete.v1', { childChunkId, datasetId, documentId, segmentId, workspaceId: key.workspaceId });
  }

  async retrieve(key: DatasetKeyContext, datasetId: string, request: RetrieveRequest): Promise<RetrieveResponse> {
    return relayed(
      await this.bus.request('kb.retrieve.v1', {
        datasetIds: [datasetId],
        query: request.query,
        retrievalModel: request.retrieval_model ?? null,
        workspaceId: key.workspaceId,
      }),
    );
  }

  async listMetadata(key: DatasetKeyContext, datasetId: string): Promise<MetadataList> {
    return relayed(
      await this.bus.request('kb.metadata.v1', { body: {}, datasetId, metadataId: null, op: 'list', workspaceId: key.workspaceId }),
    );
  }

  async createMetadata(key: DatasetKeyContext, datasetId: string, body: Record<string, unknown>): Promise<MetadataField> {
    return relayed(
      await this.bus.request('kb.metadata.v1', { body, datasetId, metadataId: null, op: 'create', workspaceId: key.workspaceId }),
    );
  }

  /**
   * Dify's built-in metadata fields. With a dataset (`GET /v1/datasets/{id}/metadata/built-in`, Dify's newer
   * path) the dataset must be one of the workspace's; the fields are the same for every dataset.
   */
  async builtInFields(key: DatasetKeyContext, datasetId: string | null): Promise<BuiltInFields> {
    if (datasetId !== null) await this.bus.request('kb.dataset.get.v1', { datasetId, workspaceId: key.workspaceId });
    return { fields: BUILT_IN_METADATA_FIELDS.map((f) => ({ name: f.name, type: f.type })) };
  }

  /** Turns Dify's built-in metadata fields on or off for a dataset. */
  async setBuiltInMetadata(key: DatasetKeyContext, datasetId: string, action: 'enable' | 'disable'): Promise<SuccessResult> {
    return relayed(
      await this.bus.request('kb.metadata.v1', {
        body: { action },
        datasetId,
        metadataId: null,
        op: 'built-in',
        workspaceId: key.workspaceId,
      }),
    );
  }

  async renameMetadata(
    key: DatasetKeyContext,
    datasetId: string,
    metadataId: string,
    body: Record<string, unknown>,
  ): Promise<MetadataField> {
    return relayed(await this.bus.request('kb.metadata.v1', { body, datasetId, metadataId, op: 'update', workspaceId: key.workspaceId }));
  }

  async deleteMetadata(key: DatasetKeyContext, datasetId: string, metadataId: string): Promise<void> {
    await this.bus.request('kb.metadata.v1', { body: {}, datasetId, metadataId, op: 'delete', workspaceId: key.workspaceId });
  }

  private deps() {
    return { files: this.files, settings: this.settings, storage: this.storage };
  }
}
