import { Injectable } from '@nestjs/common';
import type { DatasetKeyContext } from './dataset-key.guard';
import { KnowledgeRepository } from './knowledge.repository';
import { availableModels, toModelType } from './model-catalog.util';
import type { ProvidersWithModels } from './workspace-models.dto';

/** The models a workspace can use, by type, for choosing a dataset's embedding and rerank models. */
@Injectable()
export class WorkspaceModelsService {
  constructor(private readonly knowledge: KnowledgeRepository) {}

  async byType(key: DatasetKeyContext, modelType: string): Promise<ProvidersWithModels> {
    const type = toModelType(modelType);
    return { data: availableModels(key.workspaceId, type, await this.knowledge.configuredProviders(key.workspaceId)) };
  }
}
