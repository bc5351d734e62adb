import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { DatasetService } from './dataset.service';

/** NATS surface of datasets and their metadata fields. */
@Injectable()
export class DatasetHandler {
  constructor(private readonly datasets: DatasetService) {}

  @OnRequest('kb.dataset.create.v1')
  create(req: RequestOf<'kb.dataset.create.v1'>): Promise<ResponseOf<'kb.dataset.create.v1'>> {
    return this.datasets.create(req);
  }

  @OnRequest('kb.dataset.list.v1')
  list(req: RequestOf<'kb.dataset.list.v1'>): Promise<ResponseOf<'kb.dataset.list.v1'>> {
    return this.datasets.list(req);
  }

  @OnRequest('kb.dataset.get.v1')
  get(req: RequestOf<'kb.dataset.get.v1'>): Promise<ResponseOf<'kb.dataset.get.v1'>> {
    return this.datasets.get(req.workspaceId, req.datasetId);
  }

  @OnRequest('kb.dataset.update.v1')
  update(req: RequestOf<'kb.dataset.update.v1'>): Promise<ResponseOf<'kb.dataset.update.v1'>> {
    return this.datasets.update(req);
  }

  @OnRequest('kb.dataset.delete.v1')
  async delete(req: RequestOf<'kb.dataset.delete.v1'>): Promise<ResponseOf<'kb.dataset.delete.v1'>> {
    await this.datasets.delete(req.workspaceId, req.datasetId);
    return { deleted: true };
  }

  @OnRequest('kb.metadata.v1')
  metadata(req: RequestOf<'kb.metadata.v1'>): Promise<ResponseOf<'kb.metadata.v1'>> {
    return this.datasets.metadata(req);
  }
}
