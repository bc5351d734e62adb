import { Injectable } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import type { RequestOf } from '@weft/contracts';
import type { DatasetKeyContext } from './dataset-key.guard';
import type { DatasetTags, KnowledgeTag, KnowledgeTagList } from './knowledge.dto';

/** The rag service's answer as the Dify shape the edge documents (knowledge.dto.ts), relayed unchanged. */
function relayed<T>(answer: unknown): T {
  return answer as T;
}

/**
 * Dify's knowledge tags (`/v1/datasets/tags…`, dataset key) over the rag service, which keeps them with the
 * datasets they are bound to. Every call names the key's workspace: another workspace's tags and datasets
 * are not found.
 */
@Injectable()
export class DatasetTagService {
  constructor(private readonly bus: MessageBus) {}

  async list(key: DatasetKeyContext): Promise<KnowledgeTagList> {
    return relayed(await this.tag(key, 'list', {}));
  }

  async create(key: DatasetKeyContext, body: Record<string, unknown>): Promise<KnowledgeTag> {
    return relayed(await this.tag(key, 'create', body));
  }

  async update(key: DatasetKeyContext, body: Record<string, unknown>): Promise<KnowledgeTag> {
    return relayed(await this.tag(key, 'update', body));
  }

  async delete(key: DatasetKeyContext, body: Record<string, unknown>): Promise<void> {
    await this.tag(key, 'delete', body);
  }

  /** Binds tags to a dataset (`unbind`: takes them off). */
  async bind(key: DatasetKeyContext, body: Record<string, unknown>, unbind = false): Promise<void> {
    await this.tag(key, unbind ? 'unbind' : 'bind', body);
  }

  async ofDataset(key: DatasetKeyContext, datasetId: string): Promise<DatasetTags> {
    return relayed(await this.tag(key, 'of-dataset', {}, datasetId));
  }

  private tag(key: DatasetKeyContext, op: RequestOf<'kb.tag.v1'>['op'], body: Record<string, unknown>, datasetId: string | null = null) {
    return this.bus.request('kb.tag.v1', { accountId: key.accountId, body, datasetId, op, workspaceId: key.workspaceId });
  }
}
