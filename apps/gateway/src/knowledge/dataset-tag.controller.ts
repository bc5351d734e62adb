import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import type { ZodTypeAny } from 'zod';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { zodToOpenApi } from '../docs/openapi.util';
import { Returns } from '../docs/route-schema.util';
import { CurrentDatasetKey, DatasetKeyGuard, type DatasetKeyContext } from './dataset-key.guard';
import { DatasetTagService } from './dataset-tag.service';
import {
  BindTagsBodySchema,
  CreateTagBodySchema,
  DatasetTagsSchema,
  DeleteTagBodySchema,
  KnowledgeTagListSchema,
  KnowledgeTagSchema,
  requireJsonObject,
  UnbindTagsBodySchema,
  UpdateTagBodySchema,
  type DatasetTags,
  type KnowledgeTag,
  type KnowledgeTagList,
} from './knowledge.dto';

/** Documents a JSON body that the rag service checks (Dify's field names and messages). */
const DocumentedBody = (schema: ZodTypeAny) => ApiBody({ required: true, schema: zodToOpenApi(schema) as never });

/**
 * Dify's knowledge tags (dataset key): `/v1/datasets/tags` (list, create, rename, delete), binding and
 * unbinding them to datasets, and a dataset's tags. Registered before the dataset routes, so `tags` is
 * never read as a dataset id.
 */
@Controller('v1/datasets')
@UseGuards(DatasetKeyGuard)
export class DatasetTagController {
  constructor(private readonly tags: DatasetTagService) {}

  @Get('tags')
  @Returns(KnowledgeTagListSchema)
  list(@CurrentDatasetKey() key: DatasetKeyContext): Promise<KnowledgeTagList> {
    return this.tags.list(key);
  }

  @Post('tags')
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.knowledgeTagChanged)
  @DocumentedBody(CreateTagBodySchema)
  @Returns(KnowledgeTagSchema)
  create(@CurrentDatasetKey() key: DatasetKeyContext, @Body() body: unknown): Promise<KnowledgeTag> {
    return this.tags.create(key, requireJsonObject(body));
  }

  @Patch('tags')
  @Audited(AUDITED_ROUTES.knowledgeTagChanged)
  @DocumentedBody(UpdateTagBodySchema)
  @Returns(KnowledgeTagSchema)
  update(@CurrentDatasetKey() key: DatasetKeyContext, @Body() body: unknown): Promise<KnowledgeTag> {
    return this.tags.update(key, requireJsonObject(body));
  }

  @Delete('tags')
  @HttpCode(204)
  @Audited(AUDITED_ROUTES.knowledgeTagChanged)
  @DocumentedBody(DeleteTagBodySchema)
  @Returns(null)
  delete(@CurrentDatasetKey() key: DatasetKeyContext, @Body() body: unknown): Promise<void> {
    return this.tags.delete(key, requireJsonObject(body));
  }

  @Post('tags/binding')
  @HttpCode(204)
  @Audited(AUDITED_ROUTES.datasetTagsChanged)
  @DocumentedBody(BindTagsBodySchema)
  @Returns(null)
  bind(@CurrentDatasetKey() key: DatasetKeyContext, @Body() body: unknown): Promise<void> {
    return this.tags.bind(key, requireJsonObject(body));
  }

  @Post('tags/unbinding')
  @HttpCode(204)
  @Audited(AUDITED_ROUTES.datasetTagsChanged)
  @DocumentedBody(UnbindTagsBodySchema)
  @Returns(null)
  unbind(@CurrentDatasetKey() key: DatasetKeyContext, @Body() body: unknown): Promise<void> {
    return this.tags.bind(key, requireJsonObject(body), true);
  }

  @Get(':datasetId/tags')
  @Returns(DatasetTagsSchema)
  ofDataset(@CurrentDatasetKey() key: DatasetKeyContext, @Param('datasetId') datasetId: string): Promise<DatasetTags> {
    return this.tags.ofDataset(key, datasetId);
  }
}
