import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import type { FileStorage } from '@weft/storage';
import { FILE_STORAGE } from '../files/file-upload.config';
import { PrivacyRepository } from './privacy.repository';

/** The gateway's part of exports and erasure sagas, asked for by the compliance service. */
@Injectable()
export class PrivacyHandler {
  private readonly logger = new Logger(PrivacyHandler.name);

  constructor(
    private readonly privacy: PrivacyRepository,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
  ) {}

  /** Which end users an erasure's `user` string names, for the orchestrator's step (which runs before this service's). */
  @OnRequest('gateway.end-users.find.v1')
  async findEndUsers(req: RequestOf<'gateway.end-users.find.v1'>): Promise<ResponseOf<'gateway.end-users.find.v1'>> {
    return { endUserIds: await this.privacy.endUsers(req.workspaceId, req.appId, req.user) };
  }

  @OnRequest('privacy.export.gateway.v1')
  exportPage(req: RequestOf<'privacy.export.gateway.v1'>): Promise<ResponseOf<'privacy.export.gateway.v1'>> {
    return this.privacy.exportPage(req.accountId, req.workspaceIds, req.cursor);
  }

  /**
   * Idempotent: files go first (deleting a missing file is no error), then the rows in one transaction, so
   * a crash anywhere leaves rows that the next attempt finds and finishes.
   */
  @OnRequest('privacy.erase.gateway.v1')
  async erase(req: RequestOf<'privacy.erase.gateway.v1'>): Promise<ResponseOf<'privacy.erase.gateway.v1'>> {
    const { subject } = req;
    if (subject.type === 'account') {
      const files = await this.privacy.accountFiles(req, subject.accountId);
      await this.deleteFiles(files);
      const counts = await this.privacy.eraseAccount(req, subject.accountId);
      this.logger.log(`Erasure "${req.requestId}": account "${subject.accountId}" anonymized`);
      return { counts: { ...counts, stored_files: files.length } };
    }
    const endUsers = await this.privacy.endUsers(subject.workspaceId, subject.appId, subject.user);
    if (endUsers.length === 0) return { counts: { end_users: 0 } };
    const files = await this.privacy.endUserFiles(subject.workspaceId, endUsers);
    await this.deleteFiles(files);
    const counts = await this.privacy.eraseEndUsers(subject.workspaceId, endUsers);
    this.logger.log(`Erasure "${req.requestId}": ${endUsers.length} end user(s) of workspace "${subject.workspaceId}" erased`);
    return { counts: { ...counts, stored_files: files.length } };
  }

  private async deleteFiles(keys: string[]): Promise<void> {
    for (const key of keys) await this.storage.delete(key);
  }
}
