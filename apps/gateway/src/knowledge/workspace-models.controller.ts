import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { Returns } from '../docs/route-schema.util';
import { CurrentDatasetKey, DatasetKeyGuard, type DatasetKeyContext } from './dataset-key.guard';
import { ProvidersWithModelsSchema, type ProvidersWithModels } from './workspace-models.dto';
import { WorkspaceModelsService } from './workspace-models.service';

/**
 * Dify's `GET /v1/workspaces/current/models/model-types/{model_type}` (dataset key): the workspace's
 * providers with their models of a type (`text-embedding`, `rerank`, `llm`, …).
 */
@Controller('v1/workspaces/current/models')
@UseGuards(DatasetKeyGuard)
export class WorkspaceModelsController {
  constructor(private readonly models: WorkspaceModelsService) {}

  @Get('model-types/:modelType')
  @Returns(ProvidersWithModelsSchema)
  byType(@CurrentDatasetKey() key: DatasetKeyContext, @Param('modelType') modelType: string): Promise<ProvidersWithModels> {
    return this.models.byType(key, modelType);
  }
}
