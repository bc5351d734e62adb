import type { Logger } from '@nestjs/common';

/** What a kind of privacy job (an export, an erasure saga) gives the loop that runs it. */
export interface LeasedJobs<Job extends { id: string }> {
  /** Takes the next job due, under a lease for this replica; null when none is. */
  claim(): Promise<Job | null>;
  /** Extends the lease on a job being worked on. */
  renew(job: Job): Promise<unknown>;
  /** Works on one claimed job; failures are the job's own business (recorded on it, not thrown). */
  process(job: Job): Promise<void>;
  /** Runs after each pass, once no job is due (housekeeping such as purging expired archives). */
  afterPass?(): Promise<void>;
}

/**
 * The loop of one kind of privacy job on one replica: a pass every `pollMs`, and one at once when kicked
 * (a new request); a pass claims and processes due jobs one at a time, renewing each job's lease every
 * third of its length while it is worked on, so a replica that dies leaves it to another once the lease
 * lapses. A kick during a pass runs another pass after it; stopping waits for the pass under way.
 */
export class LeasedJobLoop<Job extends { id: string }> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stoppedFlag = false;

  constructor(
    private readonly jobs: LeasedJobs<Job>,
    private readonly options: { leaseSeconds: number; logger: Logger; pollMs: number; what: string },
  ) {}

  /** Whether the loop was stopped (a job being processed checks it between its steps). */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Starts polling once `ready` resolves, with a first pass at once. */
  start(ready: Promise<unknown>): void {
    void ready.then(() => {
      if (this.stoppedFlag) return;
      this.timer = setInterval(() => this.kick(), this.options.pollMs);
      this.timer.unref();
      this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stoppedFlag = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs a pass now rather than at the next tick (or right after the one under way). */
  kick(): void {
    if (this.stoppedFlag) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.options.logger.error({ err: error }, `${this.options.what} work failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    while (!this.stoppedFlag) {
      const job = await this.jobs.claim();
      if (!job) break;
      const renew = setInterval(() => void this.jobs.renew(job).catch(() => undefined), (this.options.leaseSeconds * 1000) / 3);
      try {
        await this.jobs.process(job);
      } finally {
        clearInterval(renew);
      }
    }
    if (!this.stoppedFlag) await this.jobs.afterPass?.();
  }
}
