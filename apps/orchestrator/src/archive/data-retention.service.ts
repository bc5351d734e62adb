import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { InjectMetric } from '@weft/metrics';
import { DatabaseService, tryWithAdvisoryLock } from '@weft/persistence';
import type { Counter, Gauge } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { RunArchiveRepository, type RunTables } from './run-archive.repository';
import { pause, RETENTION_ACTOR, RETENTION_SETTINGS, type RetentionSettings } from './retention.types';

const LOCK_KEY = 'weft:orchestrator:data-retention';

/** Rows one retention run deleted; null from `deleteExpiredOnce` when another replica held the lock. */
export interface RetentionRun {
  archive: { nodeRuns: number; runs: number };
  batches: number;
  largestBatch: number;
  live: { nodeRuns: number; runs: number };
}

/**
 * Deletes runs and node runs, live and archived, older than their workspace's retention period (its own, set
 * through `wf.retention.set.v1`, or DATA_RETENTION_DAYS), except in workspaces under legal hold. Batched like
 * the archive job; one replica at a time; each run is audited.
 */
@Injectable()
export class DataRetentionService {
  private readonly logger = new Logger(DataRetentionService.name);
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: DatabaseService,
    private readonly repository: RunArchiveRepository,
    private readonly audit: AuditService,
    @Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings,
    @InjectMetric('weft_retention_rows_deleted_total') private readonly deleted: Counter<string>,
    @InjectMetric('weft_retention_job_last_success_timestamp_seconds') private readonly lastSuccess: Gauge<string>,
  ) {}

  /** Makes a running job stop after its current batch (at shutdown). */
  stop(): void {
    this.stopping.abort();
  }

  /** Deletes everything expired at `now`, unless another replica is already at it. */
  async deleteExpiredOnce(now = new Date()): Promise<RetentionRun | null> {
    return tryWithAdvisoryLock(this.db.dataSource, LOCK_KEY, async (runner) => {
      const run: RetentionRun = { archive: { nodeRuns: 0, runs: 0 }, batches: 0, largestBatch: 0, live: { nodeRuns: 0, runs: 0 } };
      try {
        // The archive first: that is where old data lives once the archive job has run.
        for (const tables of ['archive', 'live'] as const) await this.deleteFrom(runner.manager, tables, now, run);
      } catch (error) {
        this.record(now, run, error);
        throw error;
      }
      this.record(now, run, null);
      this.lastSuccess.set({ job: 'delete_expired' }, Math.floor(Date.now() / 1000));
      const runs = run.archive.runs + run.live.runs;
      if (runs > 0)
        this.logger.log(`Deleted ${runs} expired runs and ${run.archive.nodeRuns + run.live.nodeRuns} node runs in ${run.batches} batches`);
      return run;
    });
  }

  private async deleteFrom(manager: EntityManager, tables: RunTables, now: Date, run: RetentionRun): Promise<void> {
    const suffix = tables === 'archive' ? '_archive' : '';
    let after = RunArchiveRepository.start;
    while (!this.stopping.signal.aborted) {
      const batch = await this.repository.deleteExpiredBatch(
        manager,
        tables,
        now,
        this.settings.dataRetentionDays,
        after,
        this.settings.archiveBatchSize,
      );
      if (batch.runs > 0) {
        run.batches += 1;
        run.largestBatch = Math.max(run.largestBatch, batch.runs);
        run[tables].runs += batch.runs;
        run[tables].nodeRuns += batch.nodeRuns;
        this.deleted.inc({ table: `workflow_runs${suffix}` }, batch.runs);
        this.deleted.inc({ table: `workflow_node_executions${suffix}` }, batch.nodeRuns);
      }
      if (!batch.next) return;
      after = batch.next;
      await pause(this.settings.archiveBatchPauseMs, this.stopping.signal);
    }
  }

  private record(now: Date, run: RetentionRun, error: unknown): void {
    this.audit.record({
      action: 'retention.delete_expired',
      actor: RETENTION_ACTOR,
      details: {
        archived_node_runs: run.archive.nodeRuns,
        archived_runs: run.archive.runs,
        batches: run.batches,
        default_retention_days: this.settings.dataRetentionDays,
        live_node_runs: run.live.nodeRuns,
        live_runs: run.live.runs,
        now: now.toISOString(),
        ...(error ? { error: (error as Error).message } : {}),
      },
      outcome: error ? 'failure' : 'success',
      resource: { id: null, type: 'workflow_runs' },
    });
  }
}
