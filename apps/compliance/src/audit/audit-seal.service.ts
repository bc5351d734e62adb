import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { DatabaseService } from '@weft/persistence';
import { AuditEventRepository } from './audit-event.repository';

/**
 * At start, seals a chain kept from before seals existed (none of its anchors sealed yet): it gets them at
 * the first start after the upgrade (the migration has no keys). That is said loudly, in the log and in the
 * trail itself (`audit.chain.sealed`), since sealing trusts what the database holds at that moment. An anchor
 * that lost its seal while others kept theirs is not sealed again. The same for the workspace heads the
 * migration that chained the workspaces made (`audit.workspace_chains.sealed`), once.
 */
@Injectable()
export class AuditSealService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditSealService.name);

  constructor(
    private readonly db: DatabaseService,
    private readonly events: AuditEventRepository,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    void this.db
      .whenReady()
      .then(async () => {
        await this.sealUnsealed();
        await this.sealPendingWorkspaceHeads();
      })
      .catch((error: unknown) =>
        this.logger.error({ err: error }, `Sealing the audit chain's anchors failed: ${(error as Error).message}`),
      );
  }

  /** Seals a chain from before seals; resolves to what it sealed, or says it refused (an anchor unsealed beside sealed ones). */
  async sealUnsealed(): Promise<{ checkpoints: number[]; head: number | null; refused: boolean }> {
    const sealed = await this.events.sealUnsealed();
    if (sealed.refused) {
      this.logger.error(
        "An anchor of the audit chain has lost its seal while others kept theirs; it is not sealed again. The operators' check (GET /v1/system/audit/verify, npm run audit:verify) says which",
      );
      return sealed;
    }
    // A new install's empty chain (its head row from the migration) is sealed without a word.
    if ((sealed.head === null || sealed.head === 0) && sealed.checkpoints.length === 0) return sealed;
    this.logger.warn(
      `The audit chain's head${sealed.checkpoints.length > 0 ? ` and ${sealed.checkpoints.length} retention checkpoint(s)` : ''} had no seal and were sealed now, trusting the chain as the database holds it (expected once, after upgrading)`,
    );
    this.audit.record({
      action: 'audit.chain.sealed',
      actor: { id: 'compliance', type: 'system' },
      details: { checkpoints: sealed.checkpoints, head_seq: sealed.head },
      outcome: 'success',
      resource: { id: null, type: 'audit_trail' },
    });
    return sealed;
  }

  /** Seals the workspace heads the upgrade made, once (AuditEventRepository.sealPendingWorkspaceHeads); says so when it did. */
  async sealPendingWorkspaceHeads(): Promise<{ sealed: number }> {
    const result = await this.events.sealPendingWorkspaceHeads();
    if (result.sealed === 0) return result;
    this.logger.warn(
      `The chain heads of ${result.sealed} workspace(s) had no seal and were sealed now, trusting their chains as the database holds them (expected once, after upgrading)`,
    );
    this.audit.record({
      action: 'audit.workspace_chains.sealed',
      actor: { id: 'compliance', type: 'system' },
      details: { workspaces: result.sealed },
      outcome: 'success',
      resource: { id: null, type: 'audit_trail' },
    });
    return result;
  }
}
