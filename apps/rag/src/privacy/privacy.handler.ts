import { Injectable, Logger } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { PrivacyRepository } from './privacy.repository';

/** The rag service's part of exports and erasure sagas, asked for by the compliance service. */
@Injectable()
export class PrivacyHandler {
  private readonly logger = new Logger(PrivacyHandler.name);

  constructor(private readonly privacy: PrivacyRepository) {}

  @OnRequest('privacy.export.rag.v1')
  exportPage(req: RequestOf<'privacy.export.rag.v1'>): Promise<ResponseOf<'privacy.export.rag.v1'>> {
    return this.privacy.exportPage(req.accountId, req.workspaceIds, req.cursor);
  }

  @OnRequest('privacy.erase.rag.v1')
  async erase(req: RequestOf<'privacy.erase.rag.v1'>): Promise<ResponseOf<'privacy.erase.rag.v1'>> {
    const counts = await this.privacy.erase(req);
    this.logger.log(`Erasure "${req.requestId}": rag part done`);
    return { counts };
  }
}
