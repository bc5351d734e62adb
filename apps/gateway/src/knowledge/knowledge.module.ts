import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { UploadFileRepository } from '../files/upload-file.repository';
import { ConsoleKnowledgeController } from './console-knowledge.controller';
import { ConsoleKnowledgeService } from './console-knowledge.service';
import { DatasetKeyController } from './dataset-key.controller';
import { DatasetKeyGuard } from './dataset-key.guard';
import { DatasetKeyService } from './dataset-key.service';
import { DatasetTagController } from './dataset-tag.controller';
import { DatasetTagService } from './dataset-tag.service';
import { KnowledgeController } from './knowledge.controller';
import { KnowledgeRepository } from './knowledge.repository';
import { KnowledgeService } from './knowledge.service';
import { WorkspaceModelsController } from './workspace-models.controller';
import { WorkspaceModelsService } from './workspace-models.service';

/** Dify's Knowledge API (tags and the workspace's models too) and the console's dataset keys; the rag service holds the knowledge. */
@Module({
  // DatasetTagController before KnowledgeController: Express tries routes in order, and `/v1/datasets/tags`
  // would otherwise be taken for the dataset `tags`.
  controllers: [DatasetKeyController, ConsoleKnowledgeController, DatasetTagController, KnowledgeController, WorkspaceModelsController],
  imports: [AppsModule],
  providers: [
    ConsoleKnowledgeService,
    DatasetKeyGuard,
    DatasetKeyService,
    DatasetTagService,
    KnowledgeRepository,
    KnowledgeService,
    UploadFileRepository,
    WorkspaceModelsService,
  ],
})
export class KnowledgeModule {}
