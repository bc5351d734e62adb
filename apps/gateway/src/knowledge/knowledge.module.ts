import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { UploadFileRepository } from '../files/upload-file.repository';
import { DatasetKeyController } from './dataset-key.controller';
import { DatasetKeyGuard } from './dataset-key.guard';
import { DatasetKeyService } from './dataset-key.service';
import { KnowledgeController } from './knowledge.controller';
import { KnowledgeService } from './knowledge.service';

/** Dify's Knowledge API and the console's dataset keys; the rag service holds the knowledge. */
@Module({
  controllers: [DatasetKeyController, KnowledgeController],
  imports: [AppsModule],
  providers: [DatasetKeyGuard, DatasetKeyService, KnowledgeService, UploadFileRepository],
})
export class KnowledgeModule {}
