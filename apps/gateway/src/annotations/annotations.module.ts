import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { AnnotationAuthorRepository } from './annotation-author.repository';
import { AnnotationController } from './annotation.controller';
import { AnnotationService } from './annotation.service';

/**
 * Annotations of chat apps at the edge: Dify's Service API to list, write and delete them and to turn annotation
 * reply on and off. The orchestrator owns them; a chat turn they answer names their author (hence the export).
 */
@Module({
  controllers: [AnnotationController],
  exports: [AnnotationAuthorRepository],
  imports: [AppsModule],
  providers: [AnnotationAuthorRepository, AnnotationService],
})
export class AnnotationsModule {}
