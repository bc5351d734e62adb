import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import type { SetLegalHoldRequest, SetWorkspaceRetentionRequest, WorkspaceRetention } from '@weft/contracts';
import { RetentionPolicyRepository } from './retention-policy.repository';
import { RETENTION_SETTINGS, type RetentionSettings } from './retention.types';

/** Reads and changes a workspace's retention period and legal hold; every change is audited. */
@Injectable()
export class RetentionPolicyService {
  constructor(
    private readonly repository: RetentionPolicyRepository,
    private readonly audit: AuditService,
    @Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings,
  ) {}

  async get(workspaceId: string): Promise<WorkspaceRetention> {
    const stored = await this.repository.find(workspaceId);
    return {
      defaultRetentionDays: this.settings.dataRetentionDays,
      legalHold: stored.legalHold,
      overridden: stored.retentionDays !== null,
      retentionDays: stored.retentionDays ?? this.settings.dataRetentionDays,
      workspaceId,
    };
  }

  async setRetentionDays(req: SetWorkspaceRetentionRequest): Promise<WorkspaceRetention> {
    const before = await this.get(req.workspaceId);
    await this.repository.setRetentionDays(req.workspaceId, req.retentionDays);
    const after = await this.get(req.workspaceId);
    this.audit.record({
      action: 'retention.policy.update',
      actor: req.accountId ? { id: req.accountId, type: 'account' } : { id: 'orchestrator', type: 'system' },
      details: { retention_days: after.retentionDays, previous_retention_days: before.retentionDays, overridden: after.overridden },
      resource: { id: req.workspaceId, type: 'workspace' },
      workspaceId: req.workspaceId,
    });
    return after;
  }

  async setLegalHold(req: SetLegalHoldRequest): Promise<WorkspaceRetention> {
    await this.repository.setLegalHold(req.workspaceId, req.held, req.reason, req.accountId);
    this.audit.record({
      action: req.held ? 'retention.legal_hold.place' : 'retention.legal_hold.release',
      actor: req.accountId ? { id: req.accountId, type: 'account' } : { id: 'orchestrator', type: 'system' },
      details: req.reason ? { reason: req.reason } : {},
      resource: { id: req.workspaceId, type: 'workspace' },
      workspaceId: req.workspaceId,
    });
    return this.get(req.workspaceId);
  }
}
