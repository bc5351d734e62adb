import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { DomainError, parseBody } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { readUploadForm, type IncomingFile } from '../files/upload-file.dto';
import { UploadFileInterceptor } from '../files/upload-file.interceptor';
import { CurrentDatasetKey, DatasetKeyGuard, type DatasetKeyContext } from './dataset-key.guard';
import {
  ChildChunkSchema,
  ChildChunksQuerySchema,
  CreateSegmentsSchema,
  DatasetsQuerySchema,
  DocumentStatusSchema,
  DocumentsQuerySchema,
  readDataField,
  RetrieveSchema,
  SegmentsQuerySchema,
  TextDocumentSchema,
  TextDocumentUpdateSchema,
  UpdateSegmentSchema,
} from './knowledge.dto';
import { KnowledgeService } from './knowledge.service';

type Files = Express.Multer.File[] | undefined;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Dify's Knowledge API (`/v1/datasets…`, dataset key): datasets, documents (by text or file), their
 * indexing status, segments, metadata and retrieval. The rag service does the work; every call names the
 * key's workspace, so another workspace's ids answer 404.
 */
@Controller('v1/datasets')
@UseGuards(DatasetKeyGuard)
export class KnowledgeController {
  constructor(
    private readonly bus: MessageBus,
    private readonly knowledge: KnowledgeService,
  ) {}

  @Post()
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.datasetCreated)
  create(@CurrentDatasetKey() key: DatasetKeyContext, @Body() body: unknown): Promise<unknown> {
    return this.bus.request('kb.dataset.create.v1', { accountId: key.accountId, body: requireObject(body), workspaceId: key.workspaceId });
  }

  @Get()
  list(@CurrentDatasetKey() key: DatasetKeyContext, @Query() query: unknown): Promise<unknown> {
    const q = parseBody(DatasetsQuerySchema, query);
    return this.bus.request('kb.dataset.list.v1', { keyword: q.keyword ?? null, limit: q.limit, page: q.page, workspaceId: key.workspaceId });
  }

  @Get(':datasetId')
  get(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<unknown> {
    return this.bus.request('kb.dataset.get.v1', { datasetId, workspaceId: key.workspaceId });
  }

  @Patch(':datasetId')
  @Audited(AUDITED_ROUTES.datasetUpdated)
  update(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Body() body: unknown): Promise<unknown> {
    return this.bus.request('kb.dataset.update.v1', { accountId: key.accountId, body: requireObject(body), datasetId, workspaceId: key.workspaceId });
  }

  @Delete(':datasetId')
  @Audited(AUDITED_ROUTES.datasetDeleted)
  @HttpCode(204)
  async delete(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<void> {
    await this.bus.request('kb.dataset.delete.v1', { datasetId, workspaceId: key.workspaceId });
  }

  @Post([':datasetId/document/create-by-text', ':datasetId/document/create_by_text'])
  @Audited(AUDITED_ROUTES.documentCreated)
  @HttpCode(200)
  createByText(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Body() body: unknown): Promise<unknown> {
    return this.knowledge.fromText(key, datasetId, null, parseBody(TextDocumentSchema, body));
  }

  @Post([':datasetId/documents/:documentId/update-by-text', ':datasetId/documents/:documentId/update_by_text'])
  @Audited(AUDITED_ROUTES.documentUpdated)
  @HttpCode(200)
  updateByText(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('documentId') documentId: string, @Body() body: unknown): Promise<unknown> {
    return this.knowledge.fromText(key, datasetId, documentId, parseBody(TextDocumentUpdateSchema, body));
  }

  @Post([':datasetId/document/create-by-file', ':datasetId/document/create_by_file'])
  @Audited(AUDITED_ROUTES.documentCreated)
  @HttpCode(200)
  @UseInterceptors(UploadFileInterceptor)
  createByFile(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @UploadedFiles() files: Files,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<unknown> {
    return this.knowledge.fromFile(key, datasetId, null, upload(files, body, contentType), settingsOf(body));
  }

  @Post([':datasetId/documents/:documentId/update-by-file', ':datasetId/documents/:documentId/update_by_file'])
  @Audited(AUDITED_ROUTES.documentUpdated)
  @HttpCode(200)
  @UseInterceptors(UploadFileInterceptor)
  updateByFile(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @UploadedFiles() files: Files,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<unknown> {
    return this.knowledge.fromFile(key, datasetId, documentId, upload(files, body, contentType), settingsOf(body));
  }

  @Get(':datasetId/documents/:batch/indexing-status')
  indexingStatus(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('batch') batch: string): Promise<unknown> {
    return this.bus.request('kb.document.indexing-status.v1', { batch, datasetId, workspaceId: key.workspaceId });
  }

  @Get(':datasetId/documents')
  documents(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Query() query: unknown): Promise<unknown> {
    const q = parseBody(DocumentsQuerySchema, query);
    return this.bus.request('kb.document.list.v1', { datasetId, keyword: q.keyword ?? null, limit: q.limit, page: q.page, status: q.status ?? null, workspaceId: key.workspaceId });
  }

  @Patch(':datasetId/documents/status/:action')
  @Audited(AUDITED_ROUTES.documentStatusChanged)
  async documentStatus(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('action') action: string, @Body() body: unknown): Promise<{ result: 'success' }> {
    if (!['enable', 'disable', 'archive', 'un_archive'].includes(action)) throw new DomainError('invalid_param', `Invalid action ${action}.`);
    const { document_ids } = parseBody(DocumentStatusSchema, body);
    await this.bus.request('kb.document.set-status.v1', { action: action as 'enable', datasetId, documentIds: document_ids, workspaceId: key.workspaceId });
    return { result: 'success' };
  }

  @Post(':datasetId/documents/metadata')
  @Audited(AUDITED_ROUTES.documentMetadataChanged)
  @HttpCode(200)
  documentMetadata(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Body() body: unknown): Promise<unknown> {
    return this.bus.request('kb.metadata.v1', { body: requireObject(body), datasetId, metadataId: null, op: 'set-documents', workspaceId: key.workspaceId });
  }

  @Get(':datasetId/documents/:documentId')
  document(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('documentId') documentId: string): Promise<unknown> {
    return this.bus.request('kb.document.get.v1', { datasetId, documentId, workspaceId: key.workspaceId });
  }

  @Delete(':datasetId/documents/:documentId')
  @Audited(AUDITED_ROUTES.documentDeleted)
  async deleteDocument(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('documentId') documentId: string): Promise<{ result: 'success' }> {
    await this.bus.request('kb.document.delete.v1', { datasetId, documentId, workspaceId: key.workspaceId });
    return { result: 'success' };
  }

  @Post(':datasetId/documents/:documentId/segments')
  @Audited(AUDITED_ROUTES.segmentsChanged)
  @HttpCode(200)
  createSegments(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('documentId') documentId: string, @Body() body: unknown): Promise<unknown> {
    return this.bus.request('kb.segment.create.v1', { datasetId, documentId, segments: parseBody(CreateSegmentsSchema, body).segments, workspaceId: key.workspaceId });
  }

  @Get(':datasetId/documents/:documentId/segments')
  segments(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('documentId') documentId: string, @Query() query: unknown): Promise<unknown> {
    const q = parseBody(SegmentsQuerySchema, query);
    const status = q.status === undefined ? [] : Array.isArray(q.status) ? q.status : [q.status];
    return this.bus.request('kb.segment.list.v1', { datasetId, documentId, keyword: q.keyword ?? null, limit: q.limit, page: q.page, status, workspaceId: key.workspaceId });
  }

  @Get(':datasetId/documents/:documentId/segments/:segmentId')
  segment(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('documentId') documentId: string, @Param('segmentId') segmentId: string): Promise<unknown> {
    return this.bus.request('kb.segment.get.v1', { datasetId, documentId, segmentId, workspaceId: key.workspaceId });
  }

  @Post(':datasetId/documents/:documentId/segments/:segmentId')
  @Audited(AUDITED_ROUTES.segmentsChanged)
  @HttpCode(200)
  updateSegment(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.bus.request('kb.segment.update.v1', { datasetId, documentId, segment: parseBody(UpdateSegmentSchema, body).segment, segmentId, workspaceId: key.workspaceId });
  }

  @Delete(':datasetId/documents/:documentId/segments/:segmentId')
  @Audited(AUDITED_ROUTES.segmentsChanged)
  async deleteSegment(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('documentId') documentId: string, @Param('segmentId') segmentId: string): Promise<{ result: 'success' }> {
    await this.bus.request('kb.segment.delete.v1', { datasetId, documentId, segmentId, workspaceId: key.workspaceId });
    return { result: 'success' };
  }

  @Get(':datasetId/documents/:documentId/segments/:segmentId/child_chunks')
  childChunks(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @Query() query: unknown,
  ): Promise<unknown> {
    const q = parseBody(ChildChunksQuerySchema, query);
    return this.bus.request('kb.child-chunk.list.v1', { datasetId, documentId, keyword: q.keyword ?? null, limit: q.limit, page: q.page, segmentId, workspaceId: key.workspaceId });
  }

  @Post(':datasetId/documents/:documentId/segments/:segmentId/child_chunks')
  @HttpCode(200)
  createChildChunk(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    const { content } = parseBody(ChildChunkSchema, body);
    return this.bus.request('kb.child-chunk.create.v1', { childChunkId: null, content, datasetId, documentId, segmentId, workspaceId: key.workspaceId });
  }

  @Patch(':datasetId/documents/:documentId/segments/:segmentId/child_chunks/:childChunkId')
  updateChildChunk(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @Param('childChunkId') childChunkId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    const { content } = parseBody(ChildChunkSchema, body);
    return this.bus.request('kb.child-chunk.update.v1', { childChunkId, content, datasetId, documentId, segmentId, workspaceId: key.workspaceId });
  }

  @Delete(':datasetId/documents/:documentId/segments/:segmentId/child_chunks/:childChunkId')
  @HttpCode(204)
  async deleteChildChunk(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @Param('childChunkId') childChunkId: string,
  ): Promise<void> {
    await this.bus.request('kb.child-chunk.delete.v1', { childChunkId, datasetId, documentId, segmentId, workspaceId: key.workspaceId });
  }

  @Post([':datasetId/retrieve', ':datasetId/hit-testing'])
  @HttpCode(200)
  retrieve(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Body() body: unknown): Promise<unknown> {
    const req = parseBody(RetrieveSchema, body);
    return this.bus.request('kb.retrieve.v1', { datasetIds: [datasetId], query: req.query, retrievalModel: req.retrieval_model ?? null, workspaceId: key.workspaceId });
  }

  @Get(':datasetId/metadata')
  metadata(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<unknown> {
    return this.bus.request('kb.metadata.v1', { body: {}, datasetId, metadataId: null, op: 'list', workspaceId: key.workspaceId });
  }

  @Post(':datasetId/metadata')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  @HttpCode(201)
  createMetadata(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Body() body: unknown): Promise<unknown> {
    return this.bus.request('kb.metadata.v1', { body: requireObject(body), datasetId, metadataId: null, op: 'create', workspaceId: key.workspaceId });
  }

  @Post(':datasetId/metadata/built-in/:action')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  @HttpCode(200)
  builtIn(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('action') action: string): Promise<unknown> {
    if (action !== 'enable' && action !== 'disable') throw new DomainError('invalid_param', `Invalid action ${action}.`);
    return this.bus.request('kb.metadata.v1', { body: { action }, datasetId, metadataId: null, op: 'built-in', workspaceId: key.workspaceId });
  }

  @Patch(':datasetId/metadata/:metadataId')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  renameMetadata(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('metadataId') metadataId: string, @Body() body: unknown): Promise<unknown> {
    return this.bus.request('kb.metadata.v1', { body: requireObject(body), datasetId, metadataId, op: 'update', workspaceId: key.workspaceId });
  }

  @Delete(':datasetId/metadata/:metadataId')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  @HttpCode(204)
  async deleteMetadata(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string, @Param('metadataId') metadataId: string): Promise<void> {
    await this.bus.request('kb.metadata.v1', { body: {}, datasetId, metadataId, op: 'delete', workspaceId: key.workspaceId });
  }
}

function requireObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new DomainError('invalid_param', 'The request body must be a JSON object.');
  return body;
}

function upload(files: Files, body: unknown, contentType: string | undefined) {
  const incoming = (files ?? []).map((f): IncomingFile => ({ buffer: f.buffer, fieldName: f.fieldname, mimeType: f.mimetype, originalName: f.originalname || undefined }));
  return { files: incoming, ...readUploadForm(body, /^multipart\//i.test(contentType ?? '')) };
}

function settingsOf(body: unknown): Record<string, unknown> {
  try {
    return readDataField(body);
  } catch (error) {
    throw new DomainError('invalid_param', `data: ${(error as Error).message}`);
  }
}
