import { Injectable } from '@nestjs/common';
import type { ListAuditLogsResponse, VerifyAuditTrailResponse } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { toListRequest, type AuditLogsQuery } from './audit.dto';

/** Walking a long chain takes a while; the verify answer may take longer than an ordinary request. */
const VERIFY_TIMEOUT_MS = 120_000;

/** The console's view of the audit trail, which the compliance service holds: a workspace's records and the chain check. */
@Injectable()
export class AuditTrailService {
  constructor(private readonly bus: MessageBus) {}

  /** A page of the caller's workspace's records, newest first. */
  logs(user: ConsoleUser, query: AuditLogsQuery): Promise<ListAuditLogsResponse> {
    return this.bus.request('audit.logs.v1', toListRequest(user.workspaceId, query));
  }

  /** Walks the whole hash chain and answers whether every link holds. */
  verify(): Promise<VerifyAuditTrailResponse> {
    return this.bus.request('audit.verify.v1', {}, { timeoutMs: VERIFY_TIMEOUT_MS });
  }
}
