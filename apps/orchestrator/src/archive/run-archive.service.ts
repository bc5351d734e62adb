import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { InjectMetric } from '@weft/metrics';
import { DatabaseService, tryWithAdvisoryLock } from '@weft/persistence';
import type { Counter, Gauge } from 'prom-client';
import { RunArchiveRepository } from './run-archive.repository';
import { pause, RETENTION_ACTOR, RETENTION_SETTINGS, type RetentionSettings } from './retention.types';

const LOCK_KEY = 'weft:orchestrator:run-archive';

/** What one archive run did; null from `archiveOnce` when another replica held the lock. */
export interface ArchiveRun {
  /** Batches (transactions) that moved something. */
  batches: number;
  cutoff: Date;
  /** The most runs one batch moved: never more than the batch size. */
  largestBatch: number;
  nodeRuns: number;
  runs: number;
}

/**
 * Moves finished runs older than RUN_ARCHIVE_AFTER_DAYS, with their node runs, from the live tables to the
 * archive tables: batch after batch, each its own short transaction, with a pause in between so live writes
 * are never held up for long. One replica at a time (a Postgres advisory lock); each run is audited.
 */
@Injectable()
export class RunArchiveService {
  private readonly logger = new Logger(RunArchiveService.name);
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: DatabaseService,
    private readonly repository: RunArchiveRepository,
    private readonly audit: AuditService,
    @Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings,
    @InjectMetric('weft_retention_rows_archived_total') private readonly archived: Counter<string>,
    @InjectMetric('weft_retention_job_last_success_timestamp_seconds') private readonly lastSuccess: Gauge<string>,
  ) {}

  /** Makes a running job stop after its current batch (at shutdown). */
  stop(): void {
    this.stopping.abort();
  }

  /** Archives everything old enough at `now`, unless another replica is already at it. */
  async archiveOnce(now = new Date()): Promise<ArchiveRun | null> {
    const cutoff = new Date(now.getTime() - this.settings.archiveAfterDays * 86_400_000);
    return tryWithAdvisoryLock(this.db.dataSource, LOCK_KEY, async (runner) => {
      const run: ArchiveRun = { batches: 0, cutoff, largestBatch: 0, nodeRuns: 0, runs: 0 };
      const started = Date.now();
      try {
        let after = RunArchiveRepository.start;
        while (!this.stopping.signal.aborted) {
          const batch = await this.repository.archiveBatch(runner.manager, cutoff, after, this.settings.archiveBatchSize);
          if (batch.runs > 0) {
            run.batches += 1;
            run.largestBatch = Math.max(run.largestBatch, batch.runs);
            run.runs += batch.runs;
            run.nodeRuns += batch.nodeRuns;
            this.archived.inc({ table: 'workflow_runs' }, batch.runs);
            this.archived.inc({ table: 'workflow_node_executions' }, batch.nodeRuns);
          }
          if (!batch.next) break;
          after = batch.next;
          await pause(this.settings.archiveBatchPauseMs, this.stopping.signal);
        }
      } catch (error) {
        this.record(run, Date.now() - started, error);
        throw error;
      }
      this.record(run, Date.now() - started, null);
      this.lastSuccess.set({ job: 'archive_runs' }, Math.floor(Date.now() / 1000));
      if (run.runs > 0) {
        this.logger.log(
          `Archived ${run.runs} runs and ${run.nodeRuns} node runs created before ${cutoff.toISOString()} in ${run.batches} batches`,
        );
      }
      return run;
    });
  }

  private record(run: ArchiveRun, elapsedMs: number, error: unknown): void {
    this.audit.record({
      action: 'retention.archive_runs',
      actor: RETENTION_ACTOR,
      details: {
        archive_after_days: this.settings.archiveAfterDays,
        batch_size: this.settings.archiveBatchSize,
        batches: run.batches,
        cutoff: run.cutoff.toISOString(),
        elapsed_ms: elapsedMs,
        node_runs: run.nodeRuns,
        runs: run.runs,
        ...(error ? { error: (error as Error).message } : {}),
      },
      outcome: error ? 'failure' : 'success',
      resource: { id: null, type: 'workflow_runs' },
    });
  }
}
