import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import {
  AppErrors,
  dataExportKeyBinding,
  DomainError,
  type ErasureStatus,
  isUuid,
  type LegalHold,
  type StartErasureResponse,
  type StartExportResponse,
} from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { RequestClientInfo } from '@weft/platform';
import type { SealBinding, SecretBox } from '@weft/security';
import type { FileStorage } from '@weft/storage';
import { createDecipheriv } from 'node:crypto';
import { AccountRepository } from '../accounts/account.repository';
import { AccountService } from '../accounts/account.service';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { AppRepository } from '../apps/app.repository';
import { FILE_STORAGE } from '../files/file-upload.config';
import { PrivacyErrors } from './privacy.exception';
import { PrivacyRepository } from './privacy.repository';

export const EXPORT_KEY_BOX = Symbol('EXPORT_KEY_BOX');

const MAGIC = Buffer.from('WEFTX1', 'ascii');

/**
 * Opens an archive the compliance service sealed (`WEFTX1 | iv | tag | AES-256-GCM ciphertext`, its key
 * sealed by the shared secret keys, bound to the export: `binding`); throws if a byte was changed or the key
 * is another export's.
 */
export function openExportArchive(data: Buffer, sealedKey: string, box: SecretBox, binding: SealBinding): Buffer {
  if (data.length < MAGIC.length + 28 || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('Not a sealed data export');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(box.open(sealedKey, binding), 'base64url'),
    data.subarray(MAGIC.length, MAGIC.length + 12),
    { authTagLength: 16 },
  );
  decipher.setAuthTag(data.subarray(MAGIC.length + 12, MAGIC.length + 28));
  return Buffer.concat([decipher.update(data.subarray(MAGIC.length + 28)), decipher.final()]);
}

/**
 * The console side of GDPR requests: checks who may ask and what stands in the way (password, ownership),
 * then hands the request to the compliance service, which runs it; serves the one download of an export.
 */
@Injectable()
export class PrivacyService {
  private readonly logger = new Logger(PrivacyService.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly privacy: PrivacyRepository,
    private readonly accounts: AccountRepository,
    private readonly accountService: AccountService,
    private readonly apps: AppRepository,
    private readonly audit: AuditService,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(EXPORT_KEY_BOX) private readonly box: SecretBox,
  ) {}

  async startExport(user: ConsoleUser): Promise<StartExportResponse> {
    const workspaceIds = await this.workspaceIdsOf(user);
    return this.bus.request('privacy.export.start.v1', { accountId: user.accountId, workspaceIds });
  }

  exportStatus(user: ConsoleUser, id: string) {
    return this.bus.request('privacy.export.status.v1', { accountId: user.accountId, id });
  }

  /** Spends the link and answers the decrypted archive; the sealed file is deleted once read. */
  async download(id: string, token: string, client: RequestClientInfo): Promise<{ body: Buffer; fileName: string }> {
    let claimed;
    try {
      claimed = await this.bus.request('privacy.export.claim.v1', { id, token });
    } catch (error) {
      this.audit.record({
        action: 'privacy.export.downloaded',
        actor: { id: null, type: 'system' },
        details: { error: error instanceof DomainError ? error.code : 'internal_error' },
        ip: client.ip,
        outcome: 'failure',
        resource: { id: id.slice(0, 100), type: 'data_export' },
        userAgent: client.userAgent,
      });
      throw error;
    }
    const body = openExportArchive(
      await this.storage.get(claimed.storage_key),
      claimed.sealed_key,
      this.box,
      dataExportKeyBinding(id, claimed.account_id),
    );
    await this.storage
      .delete(claimed.storage_key)
      .catch((error: unknown) => this.logger.warn(`Export archive "${id}" not deleted after download: ${(error as Error).message}`));
    this.audit.record({
      action: 'privacy.export.downloaded',
      actor: { id: claimed.account_id, type: 'account' },
      details: { size: body.length },
      ip: client.ip,
      resource: { id, type: 'data_export' },
      userAgent: client.userAgent,
      workspaceId: claimed.workspace_id,
    });
    return { body, fileName: claimed.file_name };
  }

  /**
   * Starts the caller's own erasure. Workspaces it alone belongs to are erased with it; owning a workspace
   * that has other members stops it (409): ownership must pass to someone else first, so nobody loses a
   * workspace because its owner left.
   */
  async eraseAccount(user: ConsoleUser, password: string, deleteDocuments: boolean): Promise<StartErasureResponse> {
    await this.accountService.confirmPassword(user.accountId, password);
    const memberships = await this.privacy.memberships(user.accountId);
    const shared = memberships.find((m) => m.role === 'owner' && m.others > 0);
    if (shared) {
      throw PrivacyErrors.ownsSharedWorkspace(shared.workspace_id, shared.others);
    }
    return this.bus.request('privacy.erasure.start.v1', {
      deleteDocuments,
      deleteWorkspaceIds: memberships.filter((m) => m.role === 'owner').map((m) => m.workspace_id),
      requestedBy: { accountId: user.accountId, workspaceId: user.workspaceId },
      subject: { accountId: user.accountId, type: 'account' },
      workspaceIds: await this.workspaceIdsOf(user),
    });
  }

  accountErasureStatus(id: string, token: string): Promise<ErasureStatus> {
    return this.bus.request('privacy.erasure.status.v1', { id, token, workspaceId: null });
  }

  resumeAccountErasure(id: string, token: string): Promise<ErasureStatus> {
    return this.bus.request('privacy.erasure.resume.v1', { id, token });
  }

  /** An admin erases an end user of the Service API, in one app or in every app of the workspace. */
  async eraseEndUser(admin: ConsoleUser, appId: string | null, endUser: string): Promise<StartErasureResponse> {
    if (appId !== null) await this.requireApp(admin, appId);
    return this.bus.request('privacy.erasure.start.v1', {
      deleteDocuments: false,
      deleteWorkspaceIds: [],
      requestedBy: { accountId: admin.accountId, workspaceId: admin.workspaceId },
      subject: { appId, type: 'end_user', user: endUser, workspaceId: admin.workspaceId },
      workspaceIds: [admin.workspaceId],
    });
  }

  /** Throws `not_found` unless the app is one of the admin's workspace. */
  async requireApp(admin: ConsoleUser, appId: string): Promise<void> {
    if (!isUuid(appId) || !(await this.apps.find(admin.workspaceId, appId))) throw AppErrors.notFound();
  }

  endUserErasureStatus(admin: ConsoleUser, id: string): Promise<ErasureStatus> {
    return this.bus.request('privacy.erasure.status.v1', { id, token: null, workspaceId: admin.workspaceId });
  }

  async placeHold(admin: ConsoleUser, accountId: string | null, reason: string): Promise<LegalHold> {
    if (accountId !== null && !(await this.accounts.roleIn(admin.workspaceId, accountId))) throw PrivacyErrors.notAMember();
    return this.bus.request('privacy.legal-hold.place.v1', {
      accountId,
      placedBy: admin.accountId,
      reason,
      workspaceId: admin.workspaceId,
    });
  }

  releaseHold(admin: ConsoleUser, id: string): Promise<LegalHold> {
    return this.bus.request('privacy.legal-hold.release.v1', { id, releasedBy: admin.accountId, workspaceId: admin.workspaceId });
  }

  listHolds(admin: ConsoleUser) {
    return this.bus.request('privacy.legal-hold.list.v1', { workspaceId: admin.workspaceId });
  }

  /** The account's workspaces, the current one first (the compliance service files its records there). */
  private async workspaceIdsOf(user: ConsoleUser): Promise<string[]> {
    const ids = (await this.privacy.memberships(user.accountId)).map((m) => m.workspace_id);
    return [user.workspaceId, ...ids.filter((id) => id !== user.workspaceId)];
  }
}
