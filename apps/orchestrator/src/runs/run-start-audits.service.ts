import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import type { AuditEvent, StartRunRequest } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { DatabaseService } from '@weft/persistence';
import { ZodError } from 'zod';
import { RunRepository } from './run.repository';

/** How long a run's `run.started` event may wait in its row before any orchestrator sends it on. */
export const START_AUDIT_LEFTOVER_MS = 15_000;
const SWEEP_EVERY_MS = 2000;
const SWEEP_BATCH = 200;

/**
 * The `run.started` audit events that travel with runs. The gateway prepares a run's event and sends it with
 * the start; the run's row stores it in the same insert (`start_audit`), so the event exists exactly when the
 * run does, whichever process dies when: this service then sends it to the trail and, once JetStream has it,
 * clears it from the row (in batches, every couple of seconds). Events left in rows older than
 * START_AUDIT_LEFTOVER_MS (their orchestrator died first, or NATS did not take them) are sent by whichever
 * orchestrator sweeps first; a copy sent twice is stored once, by its id.
 */
@Injectable()
export class RunStartAudits implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunStartAudits.name);
  /** Runs whose event JetStream has, to be cleared from their rows. */
  private sent: string[] = [];
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly audit: AuditService,
    private readonly bus: MessageBus,
    private readonly db: DatabaseService,
    private readonly runs: RunRepository,
  ) {}

  /**
   * The event to store with a start's run: only the `run.started` event of this very run, in this workspace
   * (anything else, from a confused or older gateway, is not taken; the gateway then records its own).
   */
  static eventOf(req: StartRunRequest): AuditEvent | null {
    const event = req.audit;
    if (!event || event.action !== 'run.started' || event.workspaceId !== req.workspaceId) return null;
    return event.details['run_id'] === req.runId ? event : null;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.runs.clearStartAudits(this.sent.splice(0)).catch(() => undefined);
  }

  /** Sends a stored run's event now; its row is cleared in the next sweep once JetStream has it. */
  handOn(runId: string, event: AuditEvent): void {
    this.audit.sendNow(event).then(
      () => void this.sent.push(runId),
      (error: unknown) => this.logger.warn(`The run.started event of run "${runId}" waits in its row: ${(error as Error).message}`),
    );
  }

  /** Clears what was sent, then sends what was left behind. Exposed for tests. */
  async sweep(): Promise<void> {
    if (this.sweeping || !this.db.isAvailable()) return;
    this.sweeping = true;
    const done = this.sent.splice(0);
    try {
      await this.runs.clearStartAudits(done).catch((error: unknown) => {
        this.sent.push(...done);
        throw error;
      });
      if (!this.bus.isConnected()) return;
      while ((await this.runs.sendLeftoverStartAudits(START_AUDIT_LEFTOVER_MS, SWEEP_BATCH, (e) => this.sendStored(e))) === SWEEP_BATCH);
    } catch (error) {
      this.logger.warn(`run.started events not swept yet: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }

  private async sendStored(event: AuditEvent): Promise<void> {
    try {
      await this.audit.sendNow(event);
    } catch (error) {
      // One the contract refuses would be refused on every sweep and hold back the others.
      if (!(error instanceof ZodError)) throw error;
      this.logger.error(`The run.started event "${event.id}" stored with a run is invalid and was dropped: ${error.message}`);
    }
  }
}
