import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import {
  DomainError,
  type EraseStepRequest,
  type ErasureStatus,
  PRIVACY_SERVICES,
  type PrivacyService,
  type RequestOf,
  type StartErasureResponse,
} from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { DatabaseService } from '@weft/persistence';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@weft/platform';
import { EndUserPseudonyms } from '@weft/security';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataExportRepository } from './data-export.repository';
import { hashToken } from './data-export.service';
import { ErasureRepository, toErasureStatus, type ErasureRequestRow, type ErasureStepRow } from './erasure.repository';
import { LeasedJobLoop } from './leased-job-loop.util';
import { LegalHoldRepository } from './legal-hold.repository';
import { ErasureErrors } from './privacy.exception';
import { EXPORT_STORAGE, PRIVACY_SETTINGS, type ExportStorage, type PrivacySettings } from './privacy.settings';

const POLL_MS = 1000;
const STEP_TIMEOUT_MS = 120_000;
const MAX_RETRY_DELAY_MS = 30_000;
/** Codes that say the other side is away or slow, not that the step cannot succeed: the step is tried again. */
const TRANSIENT = new Set(['unavailable', 'timeout', 'internal_error']);

const STEP_SUBJECTS = {
  gateway: 'privacy.erase.gateway.v1',
  orchestrator: 'privacy.erase.orchestrator.v1',
  rag: 'privacy.erase.rag.v1',
} as const;

/** The steps of an end user's erasure, in order: the orchestrator asks the gateway which end users to erase. */
const END_USER_ERASURE_STEPS = ['orchestrator', 'gateway', 'compliance'] as const satisfies readonly (typeof PRIVACY_SERVICES)[number][];

/** Wait before attempt `n + 1` of a step: 1 s doubling to 30 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
}

/**
 * Erasure (GDPR art. 17) as a saga across the services that hold personal data. The saga and its steps
 * are rows in the compliance schema; one replica drives a saga at a time under a lease, step by step in a
 * fixed order, recording each step's result before the next starts. Every step is idempotent, so a
 * replica that dies mid-step leaves nothing a later attempt cannot finish: after a restart, or on another
 * replica once the lease lapses, the saga resumes at the first step not recorded as done. Steps that fail
 * because a service is away are retried with backoff; a step refused for good ends the saga as failed.
 */
@Injectable()
export class ErasureService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ErasureService.name);
  private readonly loop: LeasedJobLoop<ErasureRequestRow>;

  constructor(
    private readonly sagas: ErasureRepository,
    private readonly holds: LegalHoldRepository,
    private readonly exports: DataExportRepository,
    private readonly db: DatabaseService,
    private readonly bus: MessageBus,
    private readonly audit: AuditService,
    private readonly pseudonyms: EndUserPseudonyms,
    @Inject(EXPORT_STORAGE) private readonly storage: ExportStorage,
    @Inject(PRIVACY_SETTINGS) private readonly settings: PrivacySettings,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {
    const owner = identity.instanceId;
    this.loop = new LeasedJobLoop(
      {
        claim: () => this.sagas.claim(owner, settings.jobLeaseSeconds),
        process: (saga) => this.drive(saga),
        renew: (saga) => this.sagas.renew(saga.id, owner, settings.jobLeaseSeconds),
      },
      { leaseSeconds: settings.jobLeaseSeconds, logger: this.logger, pollMs: POLL_MS, what: 'Erasure' },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start(this.db.whenReady());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Checks legal holds, then stores the saga; it runs in the background. */
  async start(req: RequestOf<'privacy.erasure.start.v1'>): Promise<StartErasureResponse> {
    const { subject } = req;
    const workspaces = subject.type === 'account' ? req.workspaceIds : [subject.workspaceId];
    const held = await this.holds.activeFor(subject.type === 'account' ? subject.accountId : null, workspaces);
    if (held.length > 0) {
      const on = held.some((h) => h.account_id !== null) ? 'the account' : 'the workspace';
      throw ErasureErrors.heldOn(on, held[0].id);
    }
    // The erasure record knows the end user by the pseudonym the gateway's `run.started` events carry.
    const hash = subject.type === 'end_user' ? this.pseudonyms.of(subject.workspaceId, subject.user) : null;
    const active = await this.sagas.findActive(
      subject.type,
      subject.type === 'account' ? subject.accountId : null,
      subject.type === 'end_user' ? subject.workspaceId : null,
      hash,
    );
    if (active) throw ErasureErrors.alreadyUnderWay(subject.type, active.id);
    const token = subject.type === 'account' ? randomBytes(32).toString('base64url') : null;
    // An end user's conversations go first, while the gateway still knows which end users the `user` string names.
    const services = subject.type === 'account' ? PRIVACY_SERVICES : END_USER_ERASURE_STEPS;
    const { request, steps } = await this.sagas.create(
      {
        account_id: subject.type === 'account' ? subject.accountId : null,
        app_id: subject.type === 'end_user' ? subject.appId : null,
        delete_documents: req.deleteDocuments,
        delete_workspace_ids: subject.type === 'account' ? req.deleteWorkspaceIds : [],
        end_user: subject.type === 'end_user' ? subject.user : null,
        end_user_hash: hash,
        id: randomUUID(),
        requested_by: req.requestedBy.accountId,
        requested_in: req.requestedBy.workspaceId,
        status_token_hash: token ? hashToken(token) : null,
        subject_type: subject.type,
        workspace_id: subject.type === 'end_user' ? subject.workspaceId : null,
        workspace_ids: workspaces,
      },
      services,
    );
    this.logger.log(
      `Erasure "${request.id}" of ${subject.type === 'account' ? `account "${subject.accountId}"` : `an end user of workspace "${subject.workspaceId}"`} queued`,
    );
    this.kick();
    return { ...toErasureStatus(request, steps), status_token: token };
  }

  /** The saga's progress, for the holder of its status token or an admin of the end user's workspace. */
  async status(id: string, token: string | null, workspaceId: string | null): Promise<ErasureStatus> {
    const request = await this.sagas.find(id);
    const allowed =
      request &&
      ((token !== null && request.status_token_hash === hashToken(token)) ||
        (workspaceId !== null && request.subject_type === 'end_user' && request.workspace_id === workspaceId));
    if (!request || !allowed) throw ErasureErrors.notFound();
    return toErasureStatus(request, await this.sagas.steps(id));
  }

  /**
   * Takes an account's stopped erasure up again, for the holder of its status token: its failed step and
   * those after it run again from the start, unless a legal hold still covers the account or a workspace.
   */
  async resume(id: string, token: string): Promise<ErasureStatus> {
    const request = await this.sagas.find(id);
    if (!request || request.subject_type !== 'account' || request.status_token_hash !== hashToken(token)) throw ErasureErrors.notFound();
    if (request.status !== 'failed') throw ErasureErrors.notStopped(request.status);
    const held = await this.holds.activeFor(request.account_id, request.workspace_ids);
    if (held.length > 0) throw ErasureErrors.stillHeld(held[0].id);
    const resumed = await this.sagas.resume(id);
    if (!resumed) throw ErasureErrors.changedMeanwhile();
    this.audit.record({
      action: 'privacy.erasure.resumed',
      actor: { id: request.account_id, type: 'account' },
      details: { previous_error: (request.error ?? '').slice(0, 300) },
      outcome: 'success',
      resource: { id, type: 'erasure_request' },
      workspaceId: request.requested_in,
    });
    this.kick();
    return toErasureStatus(resumed, await this.sagas.steps(id));
  }

  /** Runs the saga loop now rather than at the next tick. */
  kick(): void {
    this.loop.kick();
  }

  /** Drives one claimed saga from its first step not done (the loop renews its lease meanwhile). */
  private async drive(saga: ErasureRequestRow): Promise<void> {
    const owner = this.identity.instanceId;
    for (const step of await this.sagas.steps(saga.id)) {
      if (step.status === 'completed') continue;
      if (this.loop.stopped) return;
      const fail = async (message: string, permanent: boolean) => {
        const attempts = await this.sagas.failStep(saga.id, owner, step.service, message, permanent, retryDelayMs(step.attempts + 1));
        this.logger.warn(
          `Erasure "${saga.id}": the ${step.service} step failed (attempt ${attempts}, ${permanent ? 'giving up' : 'will retry'}): ${message}`,
        );
        if (permanent) this.record(saga, 'failure', { error: `${step.service}: ${message}`.slice(0, 300) });
      };
      // A legal hold placed after the request stops the saga before its next step, as one placed before
      // refuses the request: what is already erased stays erased, the rest is kept.
      const held = await this.holds.activeFor(saga.subject_type === 'account' ? saga.account_id : null, saga.workspace_ids);
      if (held.length > 0) {
        await fail(`stopped by legal hold ${held[0].id}, placed while the erasure ran; the steps before this one were done`, true);
        return;
      }
      let counts: Record<string, number>;
      try {
        counts = await this.runStep(saga, step);
      } catch (error) {
        const code = error instanceof DomainError ? error.code : 'internal_error';
        await fail((error as Error).message, !TRANSIENT.has(code));
        return;
      }
      if (!(await this.sagas.completeStep(saga.id, owner, step.service, counts))) {
        this.logger.warn(`Erasure "${saga.id}" was taken over by another replica during its ${step.service} step`);
        return;
      }
    }
    const done = await this.sagas.complete(saga.id, owner);
    if (!done) return;
    const steps = await this.sagas.steps(saga.id);
    this.record(saga, 'success', { counts: Object.fromEntries(steps.map((s) => [s.service, s.counts ?? {}])) });
    this.logger.log(`Erasure "${saga.id}" completed`);
  }

  private async runStep(saga: ErasureRequestRow, step: ErasureStepRow): Promise<Record<string, number>> {
    const request: EraseStepRequest = {
      deleteDocuments: saga.delete_documents,
      deleteWorkspaceIds: saga.delete_workspace_ids,
      requestId: saga.id,
      subject:
        saga.subject_type === 'account'
          ? { accountId: saga.account_id!, type: 'account' }
          : { appId: saga.app_id, type: 'end_user', user: saga.end_user!, workspaceId: saga.workspace_id! },
      workspaceIds: saga.workspace_ids,
    };
    if (step.service === 'compliance') return this.eraseHere(saga);
    return (
      await this.bus.request(STEP_SUBJECTS[step.service as Exclude<PrivacyService, 'compliance'>], request, { timeoutMs: STEP_TIMEOUT_MS })
    ).counts;
  }

  /**
   * The compliance service's own part: an erased account's export archives are deleted (and exports still
   * being built are stopped), and the words written about it in released legal holds are dropped. Audit
   * records are not touched: they never hold names, emails or content (see docs), and the chain must stay whole.
   */
  private async eraseHere(saga: ErasureRequestRow): Promise<Record<string, number>> {
    if (saga.subject_type !== 'account' || !saga.account_id) return {};
    const cancelled = await this.exports.cancelActive(saga.account_id);
    const archives = await this.exports.archivesOf(saga.account_id);
    for (const a of archives) {
      await this.storage.delete(a.storage_key);
      await this.exports.markPurged(a.id);
    }
    const holds = await this.holds.scrubReasonsOf(saga.account_id);
    return { export_archives_deleted: archives.length, exports_cancelled: cancelled, legal_hold_reasons_scrubbed: holds };
  }

  private record(saga: ErasureRequestRow, outcome: 'success' | 'failure', details: Record<string, unknown>): void {
    this.audit.record({
      action: 'privacy.erasure.completed',
      actor: { id: 'compliance', type: 'system' },
      details: {
        ...details,
        delete_documents: saga.delete_documents,
        deleted_workspace_ids: saga.delete_workspace_ids,
        requested_by: saga.requested_by,
        subject:
          saga.subject_type === 'account'
            ? { account_id: saga.account_id, type: 'account' }
            : { app_id: saga.app_id, end_user_hash: saga.end_user_hash, type: 'end_user' },
      },
      outcome,
      resource: { id: saga.id, type: 'erasure_request' },
      workspaceId: saga.subject_type === 'end_user' ? saga.workspace_id : saga.requested_in,
    });
  }
}
