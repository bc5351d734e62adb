import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { TagService } from './tag.service';

/** NATS surface of knowledge tags and their bindings to datasets. */
@Injectable()
export class TagHandler {
  constructor(private readonly tags: TagService) {}

  @OnRequest('kb.tag.v1')
  handle(req: RequestOf<'kb.tag.v1'>): Promise<ResponseOf<'kb.tag.v1'>> {
    return this.tags.handle(req);
  }
}
