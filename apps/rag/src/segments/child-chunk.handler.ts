import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { ChildChunkService } from './child-chunk.service';

/** NATS surface of child chunks (parent-child segments). */
@Injectable()
export class ChildChunkHandler {
  constructor(private readonly childChunks: ChildChunkService) {}

  @OnRequest('kb.child-chunk.list.v1')
  list(req: RequestOf<'kb.child-chunk.list.v1'>): Promise<ResponseOf<'kb.child-chunk.list.v1'>> {
    return this.childChunks.list(req);
  }

  @OnRequest('kb.child-chunk.create.v1')
  create(req: RequestOf<'kb.child-chunk.create.v1'>): Promise<ResponseOf<'kb.child-chunk.create.v1'>> {
    return this.childChunks.create(req);
  }

  @OnRequest('kb.child-chunk.update.v1')
  update(req: RequestOf<'kb.child-chunk.update.v1'>): Promise<ResponseOf<'kb.child-chunk.update.v1'>> {
    return this.childChunks.update(req);
  }

  @OnRequest('kb.child-chunk.delete.v1')
  async delete(req: RequestOf<'kb.child-chunk.delete.v1'>): Promise<ResponseOf<'kb.child-chunk.delete.v1'>> {
    await this.childChunks.delete(req);
    return { deleted: true };
  }
}
