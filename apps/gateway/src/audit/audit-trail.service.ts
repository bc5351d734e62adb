import { Injectable } from '@nestjs/common';
import type { ListAuditLogsResponse, VerifyWorkspaceAuditTrailResponse } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { toListRequest, type AuditLogsQuery, type PlatformAuditVerification } from './audit.dto';

/** Walking a long chain takes a while; the verify answer may take longer than an ordinary request. */
const VERIFY_TIMEOUT_MS = 120_000;

/**
 * The audit trail, which the compliance service holds: for the console, a workspace's records and the check
 * of its own chain; for operators, the check of the whole platform's chain.
 */
@Injectable()
export class AuditTrailService {
  constructor(private readonly bus: MessageBus) {}

  /** A page of the caller's workspace's records, newest first. */
  logs(user: ConsoleUser, query: AuditLogsQuery): Promise<ListAuditLogsResponse> {
    return this.bus.request('audit.logs.v1', toListRequest(user.workspaceId, query));
  }

  /** Walks the caller's workspace's own chain: what it answers counts and names that workspace's records only. */
  verify(user: ConsoleUser): Promise<VerifyWorkspaceAuditTrailResponse> {
    return this.bus.request('audit.verify.workspace.v1', { workspaceId: user.workspaceId }, { timeoutMs: VERIFY_TIMEOUT_MS });
  }

  /** Walks the whole platform's hash chain and answers whether every link holds (operators only). */
  async verifyPlatform(): Promise<PlatformAuditVerification> {
    return { ...(await this.bus.request('audit.verify.v1', {}, { timeoutMs: VERIFY_TIMEOUT_MS })), scope: 'platform' };
  }
}
