import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { SegmentService } from './segment.service';

/** NATS surface of segments. */
@Injectable()
export class SegmentHandler {
  constructor(private readonly segments: SegmentService) {}

  @OnRequest('kb.segment.list.v1')
  list(req: RequestOf<'kb.segment.list.v1'>): Promise<ResponseOf<'kb.segment.list.v1'>> {
    return this.segments.list(req);
  }

  @OnRequest('kb.segment.create.v1')
  create(req: RequestOf<'kb.segment.create.v1'>): Promise<ResponseOf<'kb.segment.create.v1'>> {
    return this.segments.create(req);
  }

  @OnRequest('kb.segment.get.v1')
  get(req: RequestOf<'kb.segment.get.v1'>): Promise<ResponseOf<'kb.segment.get.v1'>> {
    return this.segments.get(req);
  }

  @OnRequest('kb.segment.update.v1')
  update(req: RequestOf<'kb.segment.update.v1'>): Promise<ResponseOf<'kb.segment.update.v1'>> {
    return this.segments.update(req);
  }

  @OnRequest('kb.segment.delete.v1')
  async delete(req: RequestOf<'kb.segment.delete.v1'>): Promise<ResponseOf<'kb.segment.delete.v1'>> {
    await this.segments.delete(req);
    return { deleted: true };
  }
}
