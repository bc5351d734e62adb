import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ConsoleAuthGuard, CurrentConsoleUser, type ConsoleUser } from '../accounts/console-auth.guard';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import { ConsoleKnowledgeService } from './console-knowledge.service';
import {
  DatasetPageSchema,
  DatasetsQuerySchema,
  DocumentPageSchema,
  DocumentsQuerySchema,
  RetrieveResponseSchema,
  RetrieveSchema,
  SegmentPageSchema,
  SegmentsQuerySchema,
  type DatasetPage,
  type DatasetsQuery,
  type DocumentPage,
  type DocumentsQuery,
  type RetrieveRequest,
  type RetrieveResponse,
  type SegmentPage,
  type SegmentsQuery,
} from './knowledge.dto';

/**
 * The console's knowledge pages (every member reads): the workspace's datasets, their documents and segments, and the
 * retrieval test, answered in the Knowledge API's shapes. Creating datasets and documents stays with the Knowledge API.
 */
@Controller('console/api/datasets')
@UseGuards(ConsoleAuthGuard)
export class ConsoleKnowledgeController {
  constructor(private readonly knowledge: ConsoleKnowledgeService) {}

  @Get()
  @Returns(DatasetPageSchema)
  datasets(@CurrentConsoleUser() user: ConsoleUser, @ParsedQuery(DatasetsQuerySchema) query: DatasetsQuery): Promise<DatasetPage> {
    return this.knowledge.datasets(user, query);
  }

  @Get(':datasetId/documents')
  @Returns(DocumentPageSchema)
  documents(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('datasetId') datasetId: string,
    @ParsedQuery(DocumentsQuerySchema) query: DocumentsQuery,
  ): Promise<DocumentPage> {
    return this.knowledge.documents(user, datasetId, query);
  }

  @Get(':datasetId/documents/:documentId/segments')
  @Returns(SegmentPageSchema)
  segments(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('datasetId') datasetId: string,
    @Param('documentId') documentId: string,
    @ParsedQuery(SegmentsQuerySchema) query: SegmentsQuery,
  ): Promise<SegmentPage> {
    return this.knowledge.segments(user, datasetId, documentId, query);
  }

  /** A retrieval test: the records a query finds, with their scores. Reads only, so every member may run it. */
  @Post(':datasetId/hit-testing')
  @HttpCode(200)
  @Returns(RetrieveResponseSchema)
  hitTesting(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('datasetId') datasetId: string,
    @ParsedBody(RetrieveSchema) body: RetrieveRequest,
  ): Promise<RetrieveResponse> {
    return this.knowledge.hitTesting(user, datasetId, body);
  }
}
