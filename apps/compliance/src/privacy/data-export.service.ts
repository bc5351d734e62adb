import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import {
  dataExportKeyBinding,
  type ClaimExportResponse,
  type DataExport,
  type ExportPageResponse,
  type StartExportResponse,
} from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { DatabaseService } from '@weft/persistence';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@weft/platform';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { auditRecordsOf, DataExportRepository, toDataExport, type DataExportRow } from './data-export.repository';
import { sealArchive } from './export-archive.util';
import { LeasedJobLoop } from './leased-job-loop.util';
import { LegalHoldRepository } from './legal-hold.repository';
import { ExportErrors } from './privacy.exception';
import {
  EXPORT_KEY_BOX,
  EXPORT_STORAGE,
  PRIVACY_SETTINGS,
  type ExportKeyBox,
  type ExportStorage,
  type PrivacySettings,
} from './privacy.settings';

const POLL_MS = 1000;
const MAX_ATTEMPTS = 3;
/** Archives are deleted this long after their download (the gateway deletes them at once; this is the backstop). */
const DOWNLOAD_GRACE_SECONDS = 600;
const AUDIT_PAGE = 1000;
const PAGE_TIMEOUT_MS = 30_000;

/** The services asked for their part of an export, with the subject each answers. */
const EXPORT_SOURCES: [string, 'privacy.export.gateway.v1' | 'privacy.export.orchestrator.v1' | 'privacy.export.rag.v1'][] = [
  ['gateway', 'privacy.export.gateway.v1'],
  ['orchestrator', 'privacy.export.orchestrator.v1'],
  ['rag', 'privacy.export.rag.v1'],
];

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Data exports (GDPR art. 15 and 20): a job per request, built by one compliance replica under a lease
 * from each service's pages over NATS plus the account's own audit records, sealed into one archive in the
 * file storage, downloadable once until its link expires, then deleted.
 */
@Injectable()
export class DataExportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DataExportService.name);
  private readonly loop: LeasedJobLoop<DataExportRow>;

  constructor(
    private readonly exports: DataExportRepository,
    private readonly holds: LegalHoldRepository,
    private readonly db: DatabaseService,
    private readonly bus: MessageBus,
    private readonly audit: AuditService,
    @Inject(EXPORT_STORAGE) private readonly storage: ExportStorage,
    @Inject(EXPORT_KEY_BOX) private readonly box: ExportKeyBox,
    @Inject(PRIVACY_SETTINGS) private readonly settings: PrivacySettings,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {
    const owner = identity.instanceId;
    this.loop = new LeasedJobLoop(
      {
        afterPass: () => this.purge(),
        claim: () => this.exports.claim(owner, settings.jobLeaseSeconds),
        process: (job) => this.build(job),
        renew: (job) => this.exports.renew(job.id, owner, settings.jobLeaseSeconds),
      },
      { leaseSeconds: settings.jobLeaseSeconds, logger: this.logger, pollMs: POLL_MS, what: 'Data export' },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start(this.db.whenReady());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  async start(accountId: string, workspaceIds: string[]): Promise<StartExportResponse> {
    if (await this.exports.hasActive(accountId)) throw ExportErrors.alreadyPreparing();
    const token = randomBytes(32).toString('base64url');
    const row = await this.exports.create(randomUUID(), accountId, workspaceIds, hashToken(token));
    this.kick();
    return { ...toDataExport(row), download_token: token };
  }

  async status(id: string, accountId: string): Promise<DataExport> {
    const row = await this.exports.findOwn(id, accountId);
    if (!row) throw ExportErrors.notFound();
    return toDataExport(row);
  }

  /** Spends the one download, or says precisely why it cannot be had. */
  async claim(id: string, token: string): Promise<ClaimExportResponse> {
    const claimed = await this.exports.claimDownload(id, hashToken(token));
    if (claimed)
      return {
        account_id: claimed.account_id,
        file_name: `weft-data-export-${claimed.id}.json`,
        sealed_key: claimed.sealed_key!,
        size: Number(claimed.size),
        storage_key: claimed.storage_key!,
        workspace_id: claimed.workspace_ids[0] ?? null,
      };
    const row = await this.exports.find(id);
    if (!row || row.token_hash !== hashToken(token)) throw ExportErrors.linkNotFound();
    if (row.status === 'failed') throw ExportErrors.failed();
    if (row.status !== 'completed') throw ExportErrors.notReady();
    if (row.downloaded_at) throw ExportErrors.alreadyDownloaded();
    throw ExportErrors.linkExpired();
  }

  /** Runs the job loop now rather than at the next tick. */
  kick(): void {
    this.loop.kick();
  }

  /** Builds one claimed export (the loop renews its lease meanwhile). */
  private async build(job: DataExportRow): Promise<void> {
    const owner = this.identity.instanceId;
    try {
      const archive = await this.gather(job);
      const { data, sealedKey } = sealArchive(
        Buffer.from(JSON.stringify(archive), 'utf8'),
        this.box,
        dataExportKeyBinding(job.id, job.account_id),
      );
      const storageKey = `privacy/exports/${job.id}.weftx`;
      await this.storage.put(storageKey, data, 'application/octet-stream');
      const done = await this.exports.complete(job.id, owner, storageKey, sealedKey, data.length, this.settings.exportLinkTtlHours);
      if (!done) {
        // Another replica took the job over (our lease lapsed); its archive replaces this one.
        this.logger.warn(`Data export "${job.id}" was taken over by another replica before it finished here`);
        return;
      }
      this.logger.log(`Data export "${job.id}" is ready (${data.length} bytes sealed)`);
      this.record(job, 'privacy.export.completed', 'success', { size: data.length });
    } catch (error) {
      const failed = await this.exports.fail(job.id, owner, (error as Error).message, MAX_ATTEMPTS);
      this.logger.warn(`Data export "${job.id}" failed (attempt ${job.attempts}): ${(error as Error).message}`);
      if (failed?.status === 'failed')
        this.record(job, 'privacy.export.completed', 'failure', { error: (error as Error).message.slice(0, 300) });
    }
  }

  /** The archive: every service's sections, then the account's audit records and its own export jobs. */
  private async gather(job: DataExportRow): Promise<Record<string, unknown>> {
    const services: Record<string, Record<string, unknown[]>> = {};
    for (const [service, subject] of EXPORT_SOURCES) {
      const sections: Record<string, unknown[]> = {};
      let cursor: string | null = null;
      do {
        const page: ExportPageResponse = await this.bus.request(
          subject,
          { accountId: job.account_id, cursor, workspaceIds: job.workspace_ids },
          { timeoutMs: PAGE_TIMEOUT_MS },
        );
        for (const r of page.records) (sections[r.section] ??= []).push(r.data);
        cursor = page.next_cursor;
      } while (cursor !== null);
      services[service] = sections;
    }
    const auditRecords: Record<string, unknown>[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await auditRecordsOf(this.db, job.account_id, after, AUDIT_PAGE);
      auditRecords.push(...page);
      if (page.length < AUDIT_PAGE) break;
      after = String(page[page.length - 1]['seq']);
    }
    const exportsOfAccount = (await this.exports.listOwn(job.account_id)).map(toDataExport);
    const holds = (await this.holds.activeFor(job.account_id, [])).map((h) => ({
      created_at: h.created_at,
      id: h.id,
      workspace_id: h.workspace_id,
    }));
    services['compliance'] = { audit_records: auditRecords, data_exports: exportsOfAccount, legal_holds: holds };
    return {
      account_id: job.account_id,
      export_id: job.id,
      format: 'weft-data-export',
      format_version: 1,
      generated_at: new Date().toISOString(),
      services,
      workspace_ids: job.workspace_ids,
    };
  }

  private async purge(): Promise<void> {
    for (const row of await this.exports.purgeable(DOWNLOAD_GRACE_SECONDS, 100)) {
      await this.storage.delete(row.storage_key);
      await this.exports.markPurged(row.id);
    }
  }

  private record(job: DataExportRow, action: string, outcome: 'success' | 'failure', details: Record<string, unknown>): void {
    this.audit.record({
      action,
      actor: { id: 'compliance', type: 'system' },
      details: { account_id: job.account_id, ...details },
      outcome,
      resource: { id: job.id, type: 'data_export' },
      workspaceId: job.workspace_ids[0] ?? null,
    });
  }
}
