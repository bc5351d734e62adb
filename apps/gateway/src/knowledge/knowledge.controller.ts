import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  UploadedFiles,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { parseBody } from '@weft/contracts';
import type { z, ZodTypeAny } from 'zod';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { zodToOpenApi } from '../docs/openapi.util';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import { UploadFileInterceptor } from '../files/upload-file.interceptor';
import { CurrentDatasetKey, DatasetKeyGuard, type DatasetKeyContext } from './dataset-key.guard';
import {
  BuiltInFieldsSchema,
  ChildChunkAnswerSchema,
  ChildChunkPageSchema,
  ChildChunkSchema,
  ChildChunksQuerySchema,
  CreateDatasetBodySchema,
  CreateMetadataBodySchema,
  CreateSegmentsSchema,
  DatasetPageSchema,
  DatasetResponseSchema,
  DatasetsQuerySchema,
  DocumentCreatedSchema,
  DocumentMetadataBodySchema,
  DocumentPageSchema,
  DocumentResponseSchema,
  DocumentStatusSchema,
  DocumentsQuerySchema,
  DocumentUploadFileSchema,
  IndexingStatusSchema,
  MetadataFieldSchema,
  MetadataListSchema,
  readDocumentSettings,
  RenameMetadataBodySchema,
  requireBuiltInAction,
  requireDocumentAction,
  requireJsonObject,
  RetrieveResponseSchema,
  RetrieveSchema,
  SegmentAnswerSchema,
  SegmentPageSchema,
  SegmentsCreatedSchema,
  SegmentsQuerySchema,
  TextDocumentSchema,
  TextDocumentUpdateSchema,
  toUploadRequest,
  UpdateDatasetBodySchema,
  UpdateSegmentSchema,
  UploadDocumentFormOpenApi,
  type BuiltInFields,
  type ChildChunkAnswer,
  type ChildChunkPage,
  type DatasetPage,
  type DatasetResponse,
  type DocumentCreated,
  type DocumentPage,
  type DocumentResponse,
  type DocumentUploadFile,
  type IndexingStatus,
  type MetadataField,
  type MetadataList,
  type RetrieveResponse,
  type SegmentAnswer,
  type SegmentPage,
  type SegmentsCreated,
} from './knowledge.dto';
import { KnowledgeService } from './knowledge.service';

type Files = Express.Multer.File[] | undefined;

/**
 * Documents a JSON body that the handler checks itself rather than through `@ParsedBody`: the rag service
 * validates the fields of free-form bodies, and some routes answer another check before the body's.
 */
const DocumentedBody = (schema: ZodTypeAny) => ApiBody({ required: true, schema: zodToOpenApi(schema) as never });

/** The multipart form of the by-file routes, which the upload interceptor reads. */
const DocumentedUploadForm = () =>
  applyDecorators(ApiConsumes('multipart/form-data'), ApiBody({ required: true, schema: UploadDocumentFormOpenApi as never }));

/**
 * Dify's Knowledge API (`/v1/datasets…`, dataset key): datasets, documents (by text or file) and their
 * source files, their indexing status, segments, metadata (the built-in fields too) and retrieval (tags:
 * DatasetTagController). The rag service does the work; every call names the
 * key's workspace, so another workspace's ids answer 404.
 */
@Controller('v1/datasets')
@UseGuards(DatasetKeyGuard)
export class KnowledgeController {
  constructor(private readonly knowledge: KnowledgeService) {}

  @Post()
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.datasetCreated)
  @DocumentedBody(CreateDatasetBodySchema)
  @Returns(DatasetResponseSchema)
  create(@CurrentDatasetKey() key: DatasetKeyContext, @Body() body: unknown): Promise<DatasetResponse> {
    return this.knowledge.createDataset(key, requireJsonObject(body));
  }

  @Get()
  @Returns(DatasetPageSchema)
  list(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @ParsedQuery(DatasetsQuerySchema) query: z.infer<typeof DatasetsQuerySchema>,
  ): Promise<DatasetPage> {
    return this.knowledge.listDatasets(key, query);
  }

  @Get(':datasetId')
  @Returns(DatasetResponseSchema)
  get(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<DatasetResponse> {
    return this.knowledge.getDataset(key, datasetId);
  }

  @Patch(':datasetId')
  @Audited(AUDITED_ROUTES.datasetUpdated)
  @DocumentedBody(UpdateDatasetBodySchema)
  @Returns(DatasetResponseSchema)
  update(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Body() body: unknown,
  ): Promise<DatasetResponse> {
    return this.knowledge.updateDataset(key, datasetId, requireJsonObject(body));
  }

  @Delete(':datasetId')
  @Audited(AUDITED_ROUTES.datasetDeleted)
  @HttpCode(204)
  @Returns(null)
  delete(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<void> {
    return this.knowledge.deleteDataset(key, datasetId);
  }

  @Post([':datasetId/document/create-by-text', ':datasetId/document/create_by_text'])
  @Audited(AUDITED_ROUTES.documentCreated)
  @HttpCode(200)
  @Returns(DocumentCreatedSchema)
  createByText(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @ParsedBody(TextDocumentSchema) body: z.infer<typeof TextDocumentSchema>,
  ): Promise<DocumentCreated> {
    return this.knowledge.fromText(key, datasetId, null, body);
  }

  @Post([':datasetId/documents/:documentId/update-by-text', ':datasetId/documents/:documentId/update_by_text'])
  @Audited(AUDITED_ROUTES.documentUpdated)
  @HttpCode(200)
  @Returns(DocumentCreatedSchema)
  updateByText(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @ParsedBody(TextDocumentUpdateSchema) body: z.infer<typeof TextDocumentUpdateSchema>,
  ): Promise<DocumentCreated> {
    return this.knowledge.fromText(key, datasetId, documentId, body);
  }

  @Post([':datasetId/document/create-by-file', ':datasetId/document/create_by_file'])
  @Audited(AUDITED_ROUTES.documentCreated)
  @HttpCode(200)
  @UseInterceptors(UploadFileInterceptor)
  @DocumentedUploadForm()
  @Returns(DocumentCreatedSchema)
  createByFile(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @UploadedFiles() files: Files,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<DocumentCreated> {
    const upload = toUploadRequest(files, body, contentType);
    return this.knowledge.fromFile(key, datasetId, null, upload, readDocumentSettings(body));
  }

  @Post([':datasetId/documents/:documentId/update-by-file', ':datasetId/documents/:documentId/update_by_file'])
  @Audited(AUDITED_ROUTES.documentUpdated)
  @HttpCode(200)
  @UseInterceptors(UploadFileInterceptor)
  @DocumentedUploadForm()
  @Returns(DocumentCreatedSchema)
  updateByFile(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @UploadedFiles() files: Files,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<DocumentCreated> {
    const upload = toUploadRequest(files, body, contentType);
    return this.knowledge.fromFile(key, datasetId, documentId, upload, readDocumentSettings(body));
  }

  /** Dify's newer name of update-by-file: `PATCH` on the document itself, the same multipart form (the file optional). */
  @Patch(':datasetId/documents/:documentId')
  @Audited(AUDITED_ROUTES.documentUpdated)
  @UseInterceptors(UploadFileInterceptor)
  @DocumentedUploadForm()
  @Returns(DocumentCreatedSchema)
  patchDocument(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @UploadedFiles() files: Files,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<DocumentCreated> {
    const upload = toUploadRequest(files, body, contentType);
    return this.knowledge.fromFile(key, datasetId, documentId, upload, readDocumentSettings(body));
  }

  @Get(':datasetId/documents/:documentId/upload-file')
  @Returns(DocumentUploadFileSchema)
  uploadFile(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
  ): Promise<DocumentUploadFile> {
    return this.knowledge.documentUploadFile(key, datasetId, documentId);
  }

  @Get(':datasetId/documents/:batch/indexing-status')
  @Returns(IndexingStatusSchema)
  indexingStatus(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('batch') batch: string,
  ): Promise<IndexingStatus> {
    return this.knowledge.indexingStatus(key, datasetId, batch);
  }

  @Get(':datasetId/documents')
  @Returns(DocumentPageSchema)
  documents(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @ParsedQuery(DocumentsQuerySchema) query: z.infer<typeof DocumentsQuerySchema>,
  ): Promise<DocumentPage> {
    return this.knowledge.listDocuments(key, datasetId, query);
  }

  @Patch(':datasetId/documents/status/:action')
  @Audited(AUDITED_ROUTES.documentStatusChanged)
  // Parsed by hand, not with @ParsedBody: an unknown action answers 400 before the body is looked at.
  @DocumentedBody(DocumentStatusSchema)
  @Returns(SuccessResultSchema)
  async documentStatus(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('action') action: string,
    @Body() body: unknown,
  ): Promise<SuccessResult> {
    const checked = requireDocumentAction(action);
    const { document_ids } = parseBody(DocumentStatusSchema, body);
    await this.knowledge.setDocumentStatus(key, datasetId, checked, document_ids);
    return SUCCESS;
  }

  @Post(':datasetId/documents/metadata')
  @Audited(AUDITED_ROUTES.documentMetadataChanged)
  @HttpCode(200)
  @DocumentedBody(DocumentMetadataBodySchema)
  @Returns(SuccessResultSchema)
  documentMetadata(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Body() body: unknown,
  ): Promise<SuccessResult> {
    return this.knowledge.setDocumentMetadata(key, datasetId, requireJsonObject(body));
  }

  @Get(':datasetId/documents/:documentId')
  @Returns(DocumentResponseSchema)
  document(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
  ): Promise<DocumentResponse> {
    return this.knowledge.getDocument(key, datasetId, documentId);
  }

  @Delete(':datasetId/documents/:documentId')
  @Audited(AUDITED_ROUTES.documentDeleted)
  @Returns(SuccessResultSchema)
  async deleteDocument(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
  ): Promise<SuccessResult> {
    await this.knowledge.deleteDocument(key, datasetId, documentId);
    return SUCCESS;
  }

  @Post(':datasetId/documents/:documentId/segments')
  @Audited(AUDITED_ROUTES.segmentsChanged)
  @HttpCode(200)
  @Returns(SegmentsCreatedSchema)
  createSegments(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @ParsedBody(CreateSegmentsSchema) body: z.infer<typeof CreateSegmentsSchema>,
  ): Promise<SegmentsCreated> {
    return this.knowledge.createSegments(key, datasetId, documentId, body.segments);
  }

  @Get(':datasetId/documents/:documentId/segments')
  @Returns(SegmentPageSchema)
  segments(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @ParsedQuery(SegmentsQuerySchema) query: z.infer<typeof SegmentsQuerySchema>,
  ): Promise<SegmentPage> {
    return this.knowledge.listSegments(key, datasetId, documentId, query);
  }

  @Get(':datasetId/documents/:documentId/segments/:segmentId')
  @Returns(SegmentAnswerSchema)
  segment(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
  ): Promise<SegmentAnswer> {
    return this.knowledge.getSegment(key, datasetId, documentId, segmentId);
  }

  @Post(':datasetId/documents/:documentId/segments/:segmentId')
  @Audited(AUDITED_ROUTES.segmentsChanged)
  @HttpCode(200)
  @Returns(SegmentAnswerSchema)
  updateSegment(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @ParsedBody(UpdateSegmentSchema) body: z.infer<typeof UpdateSegmentSchema>,
  ): Promise<SegmentAnswer> {
    return this.knowledge.updateSegment(key, datasetId, documentId, segmentId, body.segment);
  }

  @Delete(':datasetId/documents/:documentId/segments/:segmentId')
  @Audited(AUDITED_ROUTES.segmentsChanged)
  @Returns(SuccessResultSchema)
  async deleteSegment(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
  ): Promise<SuccessResult> {
    await this.knowledge.deleteSegment(key, datasetId, documentId, segmentId);
    return SUCCESS;
  }

  @Get(':datasetId/documents/:documentId/segments/:segmentId/child_chunks')
  @Returns(ChildChunkPageSchema)
  childChunks(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @ParsedQuery(ChildChunksQuerySchema) query: z.infer<typeof ChildChunksQuerySchema>,
  ): Promise<ChildChunkPage> {
    return this.knowledge.listChildChunks(key, datasetId, documentId, segmentId, query);
  }

  @Post(':datasetId/documents/:documentId/segments/:segmentId/child_chunks')
  @HttpCode(200)
  @Returns(ChildChunkAnswerSchema)
  createChildChunk(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @ParsedBody(ChildChunkSchema) body: z.infer<typeof ChildChunkSchema>,
  ): Promise<ChildChunkAnswer> {
    return this.knowledge.createChildChunk(key, datasetId, documentId, segmentId, body.content);
  }

  @Patch(':datasetId/documents/:documentId/segments/:segmentId/child_chunks/:childChunkId')
  @Returns(ChildChunkAnswerSchema)
  updateChildChunk(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @Param('childChunkId') childChunkId: string,
    @ParsedBody(ChildChunkSchema) body: z.infer<typeof ChildChunkSchema>,
  ): Promise<ChildChunkAnswer> {
    return this.knowledge.updateChildChunk(key, datasetId, documentId, segmentId, childChunkId, body.content);
  }

  @Delete(':datasetId/documents/:documentId/segments/:segmentId/child_chunks/:childChunkId')
  @HttpCode(204)
  @Returns(null)
  deleteChildChunk(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @Param('segmentId') segmentId: string,
    @Param('childChunkId') childChunkId: string,
  ): Promise<void> {
    return this.knowledge.deleteChildChunk(key, datasetId, documentId, segmentId, childChunkId);
  }

  @Post([':datasetId/retrieve', ':datasetId/hit-testing'])
  @HttpCode(200)
  @Returns(RetrieveResponseSchema)
  retrieve(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @ParsedBody(RetrieveSchema) body: z.infer<typeof RetrieveSchema>,
  ): Promise<RetrieveResponse> {
    return this.knowledge.retrieve(key, datasetId, body);
  }

  @Get(':datasetId/metadata')
  @Returns(MetadataListSchema)
  metadata(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<MetadataList> {
    return this.knowledge.listMetadata(key, datasetId);
  }

  @Post(':datasetId/metadata')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  @HttpCode(201)
  @DocumentedBody(CreateMetadataBodySchema)
  @Returns(MetadataFieldSchema)
  createMetadata(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Body() body: unknown,
  ): Promise<MetadataField> {
    return this.knowledge.createMetadata(key, datasetId, requireJsonObject(body));
  }

  @Get('metadata/built-in')
  @Returns(BuiltInFieldsSchema)
  builtInFields(@CurrentDatasetKey() key: DatasetKeyContext): Promise<BuiltInFields> {
    return this.knowledge.builtInFields(key, null);
  }

  /** Dify's newer path of the built-in fields, under a dataset (which must be the workspace's). */
  @Get(':datasetId/metadata/built-in')
  @Returns(BuiltInFieldsSchema)
  datasetBuiltInFields(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<BuiltInFields> {
    return this.knowledge.builtInFields(key, datasetId);
  }

  @Post(':datasetId/metadata/built-in/:action')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  @HttpCode(200)
  @Returns(SuccessResultSchema)
  builtIn(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('action') action: string,
  ): Promise<SuccessResult> {
    return this.knowledge.setBuiltInMetadata(key, datasetId, requireBuiltInAction(action));
  }

  @Patch(':datasetId/metadata/:metadataId')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  @DocumentedBody(RenameMetadataBodySchema)
  @Returns(MetadataFieldSchema)
  renameMetadata(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('metadataId') metadataId: string,
    @Body() body: unknown,
  ): Promise<MetadataField> {
    return this.knowledge.renameMetadata(key, datasetId, metadataId, requireJsonObject(body));
  }

  @Delete(':datasetId/metadata/:metadataId')
  @Audited(AUDITED_ROUTES.datasetMetadataChanged)
  @HttpCode(204)
  @Returns(null)
  deleteMetadata(
    @CurrentDatasetKey() key: DatasetKeyContext,
    @Param('datasetId') datasetId: string,
    @Param('metadataId') metadataId: string,
  ): Promise<void> {
    return this.knowledge.deleteMetadata(key, datasetId, metadataId);
  }
}
