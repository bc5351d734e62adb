import { Injectable } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { KnowledgeRetrieveRequest, KnowledgeSource } from '../nodes/knowledge-retrieval/knowledge-retrieval.executor';
import type { DatasetProfile } from '../nodes/knowledge-retrieval/knowledge-routing.util';

const RETRIEVE_TIMEOUT_MS = 30_000;

/** Retrieval for knowledge-retrieval nodes, asked of the rag service, which owns the knowledge. */
@Injectable()
export class KnowledgeService implements KnowledgeSource {
  constructor(private readonly bus: MessageBus) {}

  retrieve(request: KnowledgeRetrieveRequest): Promise<{ records: Record<string, unknown>[] }> {
    return this.bus.request('kb.retrieve.v1', request, { timeoutMs: RETRIEVE_TIMEOUT_MS });
  }

  /** Each dataset as Dify's Dataset object describes it, read concurrently; deleted ones are left out. */
  async profiles(workspaceId: string, datasetIds: string[]): Promise<DatasetProfile[]> {
    const found = await Promise.all(
      datasetIds.map(async (datasetId) => {
        try {
          return await this.bus.request('kb.dataset.get.v1', { datasetId, workspaceId }, { timeoutMs: RETRIEVE_TIMEOUT_MS });
        } catch (error) {
          if (error instanceof DomainError && error.code === 'not_found') return null;
          throw error;
        }
      }),
    );
    return found.flatMap((dataset) => (dataset ? [toProfile(dataset)] : []));
  }
}

function toProfile(dataset: Record<string, unknown>): DatasetProfile {
  const fields = Array.isArray(dataset['doc_metadata']) ? (dataset['doc_metadata'] as Record<string, unknown>[]) : [];
  return {
    availableDocuments: Number(dataset['total_available_documents'] ?? 0),
    description: typeof dataset['description'] === 'string' ? dataset['description'] : '',
    id: String(dataset['id']),
    metadataFields: fields.map((f) => ({ name: String(f['name']), type: String(f['type'] ?? 'string') })),
    name: String(dataset['name'] ?? ''),
  };
}
