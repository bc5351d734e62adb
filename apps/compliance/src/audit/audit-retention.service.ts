import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { InjectMetric } from '@weft/metrics';
import { DatabaseService, tryWithAdvisoryLock } from '@weft/persistence';
import type { Counter } from 'prom-client';
import { AuditEventRepository } from './audit-event.repository';

export const AUDIT_RETENTION_SETTINGS = Symbol('AUDIT_RETENTION_SETTINGS');

export interface AuditRetentionSettings {
  pruneIntervalMinutes: number;
  retentionDays: number;
}

/** Records deleted per transaction: short transactions, never a long lock on the trail. */
const PRUNE_BATCH = 5000;
const LOCK_KEY = 'weft:compliance:audit-retention';
const FIRST_RUN_DELAY_MS = 60_000;

/** What one pruning run did; null when another replica held the lock. */
export interface PruneRun {
  checkpointSeq: number | null;
  cutoff: Date;
  pruned: number;
}

/**
 * Deletes audit records older than the retention period, on a schedule. One replica runs it at a time
 * (a Postgres advisory lock); each batch leaves a checkpoint so the kept chain stays verifiable, and each
 * run that pruned something, or failed, is itself recorded in the audit trail.
 */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionService.name);
  private timer?: NodeJS.Timeout;
  private firstRun?: NodeJS.Timeout;
  private current?: Promise<unknown>;

  constructor(
    private readonly db: DatabaseService,
    private readonly events: AuditEventRepository,
    private readonly audit: AuditService,
    @Inject(AUDIT_RETENTION_SETTINGS) private readonly settings: AuditRetentionSettings,
    @InjectMetric('weft_audit_records_pruned_total') private readonly prunedTotal: Counter<string>,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.settings.pruneIntervalMinutes * 60_000;
    void this.db.whenReady().then(() => {
      // The first run comes a while after start (not at once, so a restart loop does not prune in a loop, and
      // replicas starting together spread out), then one every interval.
      this.firstRun = setTimeout(() => this.scheduled(), Math.min(interval, FIRST_RUN_DELAY_MS + Math.random() * FIRST_RUN_DELAY_MS));
      this.firstRun.unref();
      this.timer = setInterval(() => this.scheduled(), interval);
      this.timer.unref();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.firstRun);
    clearInterval(this.timer);
    await this.current?.catch(() => undefined);
  }

  /** Prunes everything older than the retention period before `now`, unless another replica is already at it. */
  async pruneOnce(now = new Date()): Promise<PruneRun | null> {
    const cutoff = new Date(now.getTime() - this.settings.retentionDays * 86_400_000);
    return tryWithAdvisoryLock(this.db.dataSource, LOCK_KEY, async () => {
      let pruned = 0;
      let checkpointSeq: number | null = null;
      try {
        for (;;) {
          const batch = await this.events.pruneBatch(cutoff, PRUNE_BATCH);
          if (!batch) break;
          pruned += batch.pruned;
          checkpointSeq = batch.checkpointSeq;
          this.prunedTotal.inc(batch.pruned);
          if (batch.pruned < PRUNE_BATCH) break;
        }
      } catch (error) {
        this.record(cutoff, pruned, checkpointSeq, error);
        throw error;
      }
      if (pruned > 0) {
        this.record(cutoff, pruned, checkpointSeq, null);
        this.logger.log(
          `Pruned ${pruned} audit records older than ${cutoff.toISOString()}; the chain now begins at record ${checkpointSeq}`,
        );
      }
      return { checkpointSeq, cutoff, pruned };
    });
  }

  private scheduled(): void {
    if (this.current) return;
    this.current = this.pruneOnce()
      .catch((error: unknown) => this.logger.error({ err: error }, `Audit retention pruning failed: ${(error as Error).message}`))
      .finally(() => {
        this.current = undefined;
      });
  }

  private record(cutoff: Date, pruned: number, checkpointSeq: number | null, error: unknown): void {
    this.audit.record({
      action: 'audit.retention.prune',
      actor: { id: 'compliance', type: 'system' },
      details: {
        checkpoint_seq: checkpointSeq,
        cutoff: cutoff.toISOString(),
        pruned,
        retention_days: this.settings.retentionDays,
        ...(error ? { error: (error as Error).message } : {}),
      },
      outcome: error ? 'failure' : 'success',
      resource: { id: null, type: 'audit_trail' },
    });
  }
}
