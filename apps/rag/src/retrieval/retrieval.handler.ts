import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { RetrievalService } from './retrieval.service';

/** NATS surface of retrieval, for the Knowledge API and knowledge-retrieval nodes. */
@Injectable()
export class RetrievalHandler {
  constructor(private readonly retrieval: RetrievalService) {}

  @OnRequest('kb.retrieve.v1')
  retrieve(req: RequestOf<'kb.retrieve.v1'>): Promise<ResponseOf<'kb.retrieve.v1'>> {
    return this.retrieval.retrieve(req);
  }
}
