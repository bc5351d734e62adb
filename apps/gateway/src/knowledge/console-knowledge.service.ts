import { Injectable } from '@nestjs/common';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import type { DatasetKeyContext } from './dataset-key.guard';
import { KnowledgeService } from './knowledge.service';
import type {
  DatasetPage,
  DatasetsQuery,
  DocumentPage,
  DocumentsQuery,
  RetrieveRequest,
  RetrieveResponse,
  SegmentPage,
  SegmentsQuery,
} from './knowledge.dto';

/**
 * The console's read-only view of the workspace's knowledge and its retrieval test, in the Knowledge API's shapes:
 * the same KnowledgeService calls, on behalf of the signed-in member's workspace instead of a dataset key's.
 */
@Injectable()
export class ConsoleKnowledgeService {
  constructor(private readonly knowledge: KnowledgeService) {}

  datasets(user: ConsoleUser, query: DatasetsQuery): Promise<DatasetPage> {
    return this.knowledge.listDatasets(this.asKey(user), query);
  }

  documents(user: ConsoleUser, datasetId: string, query: DocumentsQuery): Promise<DocumentPage> {
    return this.knowledge.listDocuments(this.asKey(user), datasetId, query);
  }

  segments(user: ConsoleUser, datasetId: string, documentId: string, query: SegmentsQuery): Promise<SegmentPage> {
    return this.knowledge.listSegments(this.asKey(user), datasetId, documentId, query);
  }

  /** Dify's hit testing; another workspace's dataset is not found (checked first: retrieval over it would find nothing). */
  async hitTesting(user: ConsoleUser, datasetId: string, request: RetrieveRequest): Promise<RetrieveResponse> {
    const key = this.asKey(user);
    await this.knowledge.getDataset(key, datasetId);
    return this.knowledge.retrieve(key, datasetId, request);
  }

  private asKey(user: ConsoleUser): DatasetKeyContext {
    return { accountId: user.accountId, keyId: `console:${user.sessionId}`, workspaceId: user.workspaceId };
  }
}
