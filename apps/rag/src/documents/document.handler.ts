import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { DocumentService } from './document.service';

/** NATS surface of documents. */
@Injectable()
export class DocumentHandler {
  constructor(private readonly documents: DocumentService) {}

  @OnRequest('kb.document.create.v1')
  create(req: RequestOf<'kb.document.create.v1'>): Promise<ResponseOf<'kb.document.create.v1'>> {
    return this.documents.create(req);
  }

  @OnRequest('kb.document.list.v1')
  list(req: RequestOf<'kb.document.list.v1'>): Promise<ResponseOf<'kb.document.list.v1'>> {
    return this.documents.list(req);
  }

  @OnRequest('kb.document.get.v1')
  get(req: RequestOf<'kb.document.get.v1'>): Promise<ResponseOf<'kb.document.get.v1'>> {
    return this.documents.get(req.workspaceId, req.datasetId, req.documentId);
  }

  @OnRequest('kb.document.delete.v1')
  async delete(req: RequestOf<'kb.document.delete.v1'>): Promise<ResponseOf<'kb.document.delete.v1'>> {
    await this.documents.delete(req.workspaceId, req.datasetId, req.documentId);
    return { deleted: true };
  }

  @OnRequest('kb.document.indexing-status.v1')
  indexingStatus(req: RequestOf<'kb.document.indexing-status.v1'>): Promise<ResponseOf<'kb.document.indexing-status.v1'>> {
    return this.documents.indexingStatus(req.workspaceId, req.datasetId, req.batch);
  }

  @OnRequest('kb.document.set-status.v1')
  async setStatus(req: RequestOf<'kb.document.set-status.v1'>): Promise<ResponseOf<'kb.document.set-status.v1'>> {
    await this.documents.setStatus(req);
    return { deleted: false };
  }
}
