import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { AnnotationService } from './annotation.service';

/** NATS surface of annotations: list, create, update, delete, and the jobs that turn annotation reply on and off. */
@Injectable()
export class AnnotationHandler {
  constructor(private readonly annotations: AnnotationService) {}

  @OnRequest('wf.annotation.list.v1')
  list(req: RequestOf<'wf.annotation.list.v1'>): Promise<ResponseOf<'wf.annotation.list.v1'>> {
    return this.annotations.list(req);
  }

  @OnRequest('wf.annotation.create.v1')
  create(req: RequestOf<'wf.annotation.create.v1'>): Promise<ResponseOf<'wf.annotation.create.v1'>> {
    return this.annotations.create(req);
  }

  @OnRequest('wf.annotation.update.v1')
  update(req: RequestOf<'wf.annotation.update.v1'>): Promise<ResponseOf<'wf.annotation.update.v1'>> {
    return this.annotations.update(req);
  }

  @OnRequest('wf.annotation.delete.v1')
  delete(req: RequestOf<'wf.annotation.delete.v1'>): Promise<ResponseOf<'wf.annotation.delete.v1'>> {
    return this.annotations.delete(req);
  }

  @OnRequest('wf.annotation.reply.v1')
  reply(req: RequestOf<'wf.annotation.reply.v1'>): Promise<ResponseOf<'wf.annotation.reply.v1'>> {
    return this.annotations.reply(req);
  }

  @OnRequest('wf.annotation.setting.v1')
  setting(req: RequestOf<'wf.annotation.setting.v1'>): Promise<ResponseOf<'wf.annotation.setting.v1'>> {
    return this.annotations.setting(req);
  }

  @OnRequest('wf.annotation.reply-status.v1')
  status(req: RequestOf<'wf.annotation.reply-status.v1'>): Promise<ResponseOf<'wf.annotation.reply-status.v1'>> {
    return this.annotations.status(req);
  }
}
