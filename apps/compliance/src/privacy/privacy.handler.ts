import { Injectable, Logger } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { MessageBus, OnRequest } from '@weft/messaging';
import { DataExportService } from './data-export.service';
import { ErasureService } from './erasure.service';
import { LegalHoldRepository } from './legal-hold.repository';
import { LegalHoldErrors } from './privacy.exception';

/** The compliance service's GDPR requests over NATS: exports, erasures and legal holds. */
@Injectable()
export class PrivacyHandler {
  private readonly logger = new Logger(PrivacyHandler.name);

  constructor(
    private readonly exports: DataExportService,
    private readonly erasures: ErasureService,
    private readonly holds: LegalHoldRepository,
    private readonly bus: MessageBus,
  ) {}

  @OnRequest('privacy.export.start.v1')
  startExport(req: RequestOf<'privacy.export.start.v1'>): Promise<ResponseOf<'privacy.export.start.v1'>> {
    return this.exports.start(req.accountId, req.workspaceIds);
  }

  @OnRequest('privacy.export.status.v1')
  exportStatus(req: RequestOf<'privacy.export.status.v1'>): Promise<ResponseOf<'privacy.export.status.v1'>> {
    return this.exports.status(req.id, req.accountId);
  }

  @OnRequest('privacy.export.claim.v1')
  claimExport(req: RequestOf<'privacy.export.claim.v1'>): Promise<ResponseOf<'privacy.export.claim.v1'>> {
    return this.exports.claim(req.id, req.token);
  }

  @OnRequest('privacy.erasure.start.v1')
  startErasure(req: RequestOf<'privacy.erasure.start.v1'>): Promise<ResponseOf<'privacy.erasure.start.v1'>> {
    return this.erasures.start(req);
  }

  @OnRequest('privacy.erasure.status.v1')
  erasureStatus(req: RequestOf<'privacy.erasure.status.v1'>): Promise<ResponseOf<'privacy.erasure.status.v1'>> {
    return this.erasures.status(req.id, req.token, req.workspaceId);
  }

  @OnRequest('privacy.erasure.resume.v1')
  resumeErasure(req: RequestOf<'privacy.erasure.resume.v1'>): Promise<ResponseOf<'privacy.erasure.resume.v1'>> {
    return this.erasures.resume(req.id, req.token);
  }

  /**
   * A hold on a whole workspace also stops the orchestrator's retention job from deleting its runs: the
   * orchestrator is told first, so a hold is never stored here without it (the reason stays here).
   */
  @OnRequest('privacy.legal-hold.place.v1')
  async placeHold(req: RequestOf<'privacy.legal-hold.place.v1'>): Promise<ResponseOf<'privacy.legal-hold.place.v1'>> {
    if (req.accountId === null)
      await this.bus.request('wf.legal-hold.set.v1', { accountId: req.placedBy, held: true, reason: null, workspaceId: req.workspaceId });
    return this.holds.place(req.workspaceId, req.accountId, req.reason, req.placedBy);
  }

  /**
   * Releasing the last hold on a workspace lets retention delete its runs again. Should the orchestrator be
   * away, it keeps holding (the safe side) and the release is logged; releasing again is not possible, so
   * an operator sends `wf.legal-hold.set.v1` (or places and releases a hold) to align them.
   */
  @OnRequest('privacy.legal-hold.release.v1')
  async releaseHold(req: RequestOf<'privacy.legal-hold.release.v1'>): Promise<ResponseOf<'privacy.legal-hold.release.v1'>> {
    const hold = await this.holds.release(req.workspaceId, req.id, req.releasedBy);
    if (!hold) throw LegalHoldErrors.notFound();
    const stillHeld = (await this.holds.activeFor(null, [req.workspaceId])).length > 0;
    if (hold.account_id === null && !stillHeld) {
      await this.bus
        .request('wf.legal-hold.set.v1', { accountId: req.releasedBy, held: false, reason: null, workspaceId: req.workspaceId })
        .catch((error: unknown) => {
          this.logger.error(
            `Legal hold "${hold.id}" released, but the orchestrator still holds workspace "${req.workspaceId}": ${(error as Error).message}`,
          );
        });
    }
    return hold;
  }

  @OnRequest('privacy.legal-hold.list.v1')
  async listHolds(req: RequestOf<'privacy.legal-hold.list.v1'>): Promise<ResponseOf<'privacy.legal-hold.list.v1'>> {
    return { data: await this.holds.list(req.workspaceId) };
  }
}
