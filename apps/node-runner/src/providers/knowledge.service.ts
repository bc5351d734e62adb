import { Injectable } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import type { KnowledgeSource } from '../nodes/knowledge-retrieval.executor';

const RETRIEVE_TIMEOUT_MS = 30_000;

/** Retrieval for knowledge-retrieval nodes, asked of the rag service, which owns the knowledge. */
@Injectable()
export class KnowledgeService implements KnowledgeSource {
  constructor(private readonly bus: MessageBus) {}

  retrieve(request: { datasetIds: string[]; query: string; retrievalModel: Record<string, unknown> | null; workspaceId: string }): Promise<{ records: Record<string, unknown>[] }> {
    return this.bus.request('kb.retrieve.v1', request, { timeoutMs: RETRIEVE_TIMEOUT_MS });
  }
}
