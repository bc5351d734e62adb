import { Injectable, Logger } from '@nestjs/common';
import type { AuditEvent } from '@weft/contracts';
import { InjectMetric } from '@weft/metrics';
import type { Counter } from 'prom-client';
import { AuditEventRepository } from './audit-event.repository';

/** Most events appended in one transaction (21 parameters each, well under Postgres's 65,535). */
export const MAX_APPEND_BATCH = 500;

interface Pending {
  event: AuditEvent;
  reject: (error: unknown) => void;
  resolve: (stored: boolean) => void;
}

/**
 * Appends events to the chain in batches: while one transaction holds the chain head, events arriving
 * meanwhile wait and go together in the next one (group commit), so the head lock is taken once per
 * batch rather than once per event. A batch that fails is retried event by event, so one bad event
 * cannot hold back the others.
 */
@Injectable()
export class AuditAppender {
  private readonly logger = new Logger(AuditAppender.name);
  private readonly queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly events: AuditEventRepository,
    @InjectMetric('weft_audit_events_stored_total') private readonly storedTotal: Counter<string>,
  ) {}

  /** Resolves once the event is in the chain: true if stored now, false if it was already there. */
  append(event: AuditEvent): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ event, reject, resolve });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_APPEND_BATCH);
      try {
        this.settle(batch, await this.events.appendBatch(batch.map((p) => p.event)));
      } catch (error) {
        if (batch.length === 1) {
          batch[0].reject(error);
          continue;
        }
        this.logger.warn(`Appending ${batch.length} audit events together failed (${(error as Error).message}); appending them one by one`);
        for (const p of batch) {
          try {
            this.settle([p], await this.events.appendBatch([p.event]));
          } catch (single) {
            p.reject(single);
          }
        }
      }
    }
  }

  private settle(batch: Pending[], stored: boolean[]): void {
    const added = stored.filter(Boolean).length;
    if (added > 0) this.storedTotal.inc(added);
    batch.forEach((p, i) => p.resolve(stored[i]));
  }
}
