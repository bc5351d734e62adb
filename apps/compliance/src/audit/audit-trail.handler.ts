import { Injectable, Logger } from '@nestjs/common';
import {
  AuditRecord,
  DomainError,
  ListAuditLogsRequest,
  ListAuditLogsResponse,
  VerifyAuditTrailResponse,
  VerifyWorkspaceAuditTrailRequest,
  VerifyWorkspaceAuditTrailResponse,
} from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { AuditEventRepository, type StoredRecordRow } from './audit-event.repository';
import { toVerifyResponse, toWorkspaceVerifyResponse } from './audit-verify.util';

function toAuditRecord(r: StoredRecordRow): AuditRecord {
  return {
    action: r.action,
    actor: { id: r.actor_id, type: r.actor_type },
    correlation_id: r.correlation_id,
    details: r.details,
    hash: r.hash,
    id: r.id,
    ip: r.ip,
    occurred_at: r.occurred_at.toISOString(),
    outcome: r.outcome,
    recorded_at: r.received_at.toISOString(),
    resource: { id: r.resource_id, type: r.resource_type },
    seq: Number(r.seq),
    service: r.service,
    user_agent: r.user_agent,
    workspace_id: r.workspace_id,
  };
}

/** The audit trail's questions over NATS: verify the whole chain (operators) or one workspace's, list a workspace's records. */
@Injectable()
export class AuditTrailHandler {
  private readonly logger = new Logger(AuditTrailHandler.name);

  constructor(private readonly events: AuditEventRepository) {}

  @OnRequest('audit.verify.v1')
  async verify(): Promise<VerifyAuditTrailResponse> {
    const answer = toVerifyResponse(await this.events.verify());
    if (answer.result === 'broken') {
      const broken = answer.first_broken;
      this.logger.warn(
        `The audit chain is broken at record ${broken.seq} ("${broken.id ?? 'missing'}"): ${broken.reason}, ${broken.detail}`,
      );
    }
    return answer;
  }

  /** One workspace's chain, reported in its own numbering: nothing of other workspaces' records goes into the answer. */
  @OnRequest('audit.verify.workspace.v1')
  async verifyWorkspace(req: VerifyWorkspaceAuditTrailRequest): Promise<VerifyWorkspaceAuditTrailResponse> {
    const answer = toWorkspaceVerifyResponse(await this.events.verifyWorkspace(req.workspaceId));
    if (answer.result === 'broken') {
      const broken = answer.first_broken;
      this.logger.warn(
        `The audit chain of workspace "${req.workspaceId}" is broken at its record ${broken.seq} ("${broken.id ?? 'missing'}"): ${broken.reason}, ${broken.detail}`,
      );
    }
    return answer;
  }

  @OnRequest('audit.logs.v1')
  async logs(q: ListAuditLogsRequest): Promise<ListAuditLogsResponse> {
    if (q.actorId && !q.actorType) throw new DomainError('invalid_param', 'actor_id: give actor_type with it');
    if (q.resourceId && !q.resourceType) throw new DomainError('invalid_param', 'resource_id: give resource_type with it');
    if (q.start && q.end && new Date(q.start) >= new Date(q.end)) throw new DomainError('invalid_param', 'start: must be before end');
    const { hasMore, nextCursor, rows } = await this.events.list(q);
    return { data: rows.map(toAuditRecord), has_more: hasMore, limit: q.limit, next_cursor: nextCursor };
  }
}
