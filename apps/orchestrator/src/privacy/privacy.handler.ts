import { Injectable, Logger } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { MessageBus, OnRequest } from '@weft/messaging';
import { PrivacyRepository } from './privacy.repository';

/** The orchestrator's part of exports and erasure sagas, asked for by the compliance service. */
@Injectable()
export class PrivacyHandler {
  private readonly logger = new Logger(PrivacyHandler.name);

  constructor(
    private readonly privacy: PrivacyRepository,
    private readonly bus: MessageBus,
  ) {}

  @OnRequest('privacy.export.orchestrator.v1')
  exportPage(req: RequestOf<'privacy.export.orchestrator.v1'>): Promise<ResponseOf<'privacy.export.orchestrator.v1'>> {
    return this.privacy.exportPage(req.accountId, req.workspaceIds, req.cursor);
  }

  @OnRequest('privacy.erase.orchestrator.v1')
  async erase(req: RequestOf<'privacy.erase.orchestrator.v1'>): Promise<ResponseOf<'privacy.erase.orchestrator.v1'>> {
    // An end user's messages and conversations are found by the end users the gateway knows for the `user` string.
    const { subject } = req;
    const endUserIds =
      subject.type === 'end_user'
        ? (
            await this.bus.request('gateway.end-users.find.v1', {
              appId: subject.appId,
              user: subject.user,
              workspaceId: subject.workspaceId,
            })
          ).endUserIds
        : [];
    const counts = await this.privacy.erase(req, endUserIds);
    this.logger.log(`Erasure "${req.requestId}": orchestrator part done`);
    return { counts };
  }
}
