import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { DatabaseService } from '@weft/persistence';
import { AuditEventRepository } from './audit-event.repository';

/**
 * At start, seals the chain's anchors that have no seal yet: a chain kept from before seals existed gets
 * them at the first start after the upgrade (the migration has no keys). That is said loudly, in the log and
 * in the trail itself (`audit.chain.sealed`), since sealing trusts what the database holds at that moment.
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
      .then(() => this.sealUnsealed())
      .catch((error: unknown) => this.logger.error({ err: error }, `Sealing the audit chain's anchors failed: ${(error as Error).message}`));
  }

  /** Seals what is unsealed; resolves to what it sealed. */
  async sealUnsealed(): Promise<{ checkpoints: number[]; head: number | null }> {
    const sealed = await this.events.sealUnsealed();
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
}
