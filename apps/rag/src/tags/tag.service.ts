import { Injectable } from '@nestjs/common';
import { parseBody, type RequestOf, type ResponseOf } from '@weft/contracts';
import { DatasetService } from '../datasets/dataset.service';
import {
  BindTagsSchema,
  CreateTagSchema,
  DeleteTagSchema,
  toTagResponse,
  UnbindTagsSchema,
  unbindingTagIds,
  UpdateTagSchema,
} from './tag.dto';
import { TagErrors } from './tag.exception';
import { TagRepository } from './tag.repository';

const SUCCESS = { result: 'success' };

/**
 * Dify's knowledge tags (`/v1/datasets/tags…`): workspace-wide names that datasets are bound to, shown in
 * dataset answers and used by the dataset list's `tag_ids` filter. Another workspace's tag or dataset is
 * never found; a binding names the dataset, so a foreign dataset answers 404 and nothing changes.
 */
@Injectable()
export class TagService {
  constructor(
    private readonly tags: TagRepository,
    private readonly datasets: DatasetService,
  ) {}

  async handle(req: RequestOf<'kb.tag.v1'>): Promise<ResponseOf<'kb.tag.v1'>> {
    switch (req.op) {
      case 'list':
        return (await this.tags.list(req.workspaceId)).map(toTagResponse);
      case 'create': {
        const { name } = parseBody(CreateTagSchema, req.body);
        const created = await this.tags.create(req.workspaceId, name, req.accountId);
        if (!created) throw TagErrors.nameTaken();
        return toTagResponse(created);
      }
      case 'update': {
        const body = parseBody(UpdateTagSchema, req.body);
        const renamed = await this.tags.rename(req.workspaceId, body.tag_id, body.name);
        if (renamed === 'duplicate') throw TagErrors.nameTaken();
        if (!renamed) throw TagErrors.notFound();
        return toTagResponse(renamed);
      }
      case 'delete': {
        const { tag_id } = parseBody(DeleteTagSchema, req.body);
        if (!(await this.tags.delete(req.workspaceId, tag_id))) throw TagErrors.notFound();
        return SUCCESS;
      }
      case 'bind': {
        const body = parseBody(BindTagsSchema, req.body);
        if (body.tag_ids.length === 0) throw TagErrors.tagIdsRequired();
        const dataset = await this.datasets.require(req.workspaceId, body.target_id);
        await this.tags.bind(req.workspaceId, dataset.id, body.tag_ids, req.accountId);
        return SUCCESS;
      }
      case 'unbind': {
        const body = parseBody(UnbindTagsSchema, req.body);
        const tagIds = unbindingTagIds(body);
        if (tagIds.length === 0) throw TagErrors.tagIdsRequired();
        const dataset = await this.datasets.require(req.workspaceId, body.target_id);
        await this.tags.unbind(req.workspaceId, dataset.id, tagIds);
        return SUCCESS;
      }
      case 'of-dataset': {
        const dataset = await this.datasets.require(req.workspaceId, req.datasetId ?? '');
        const data = await this.tags.ofDataset(req.workspaceId, dataset.id);
        return { data, total: data.length };
      }
    }
  }
}
