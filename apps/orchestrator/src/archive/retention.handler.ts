import { Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { RetentionPolicyService } from './retention-policy.service';

/** NATS surface of retention: a workspace's retention period and legal hold, read and set. */
@Injectable()
export class RetentionHandler {
  constructor(private readonly policies: RetentionPolicyService) {}

  @OnRequest('wf.retention.get.v1')
  get(req: RequestOf<'wf.retention.get.v1'>): Promise<ResponseOf<'wf.retention.get.v1'>> {
    return this.policies.get(req.workspaceId);
  }

  @OnRequest('wf.retention.set.v1')
  set(req: RequestOf<'wf.retention.set.v1'>): Promise<ResponseOf<'wf.retention.set.v1'>> {
    return this.policies.setRetentionDays(req);
  }

  @OnRequest('wf.legal-hold.set.v1')
  setLegalHold(req: RequestOf<'wf.legal-hold.set.v1'>): Promise<ResponseOf<'wf.legal-hold.set.v1'>> {
    return this.policies.setLegalHold(req);
  }
}
