import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import { DataRetentionService } from './data-retention.service';
import { RunArchiveService } from './run-archive.service';
import { RETENTION_SETTINGS, type RetentionSettings } from './retention.types';

const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Runs the archive job, then the retention job, every RETENTION_INTERVAL_MINUTES. Every replica schedules
 * them; the advisory lock in each job lets one replica at a time do the work.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionScheduler.name);
  private timer?: NodeJS.Timeout;
  private firstRun?: NodeJS.Timeout;
  private current?: Promise<void>;

  constructor(
    private readonly db: DatabaseService,
    private readonly archive: RunArchiveService,
    private readonly retention: DataRetentionService,
    @Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.settings.intervalMinutes * 60_000;
    void this.db.whenReady().then(() => {
      // Not at once after start (a crash loop must not run the jobs in a loop), and spread out across replicas
      // that start together.
      this.firstRun = setTimeout(() => this.tick(), Math.min(interval, FIRST_RUN_DELAY_MS + Math.random() * FIRST_RUN_DELAY_MS));
      this.firstRun.unref();
      this.timer = setInterval(() => this.tick(), interval);
      this.timer.unref();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.firstRun);
    clearInterval(this.timer);
    this.archive.stop();
    this.retention.stop();
    await this.current;
  }

  private tick(): void {
    if (this.current) return;
    this.current = this.runJobs().finally(() => {
      this.current = undefined;
    });
  }

  private async runJobs(): Promise<void> {
    // Each job is independent: a failed archive run does not keep expired data from being deleted.
    await this.archive
      .archiveOnce()
      .catch((error: unknown) => this.logger.error({ err: error }, `Run archiving failed: ${(error as Error).message}`));
    await this.retention
      .deleteExpiredOnce()
      .catch((error: unknown) => this.logger.error({ err: error }, `Retention deletion failed: ${(error as Error).message}`));
  }
}
