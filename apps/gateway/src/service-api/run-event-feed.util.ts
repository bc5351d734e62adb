import type { RunStreamEvent } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';

/** How often a waiting reader checks the stored run, in case its live events were missed. */
export const STORED_STATE_CHECK_MS = 5000;

/**
 * A run's live events, subscribed to before the run is started so none is missed, read one at a time.
 * When nothing arrives for a while the reader asks `fromStore` whether the run has ended meanwhile (a
 * lost event, an orchestrator that died); whatever events it returns are read next.
 */
export class RunEventFeed {
  private readonly events: RunStreamEvent[] = [];
  private notify: (() => void) | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    bus: MessageBus,
    runId: string,
    private readonly fromStore: () => Promise<RunStreamEvent[]>,
  ) {
    this.unsubscribe = bus.listen('wf.run.event.v1', runId, (event) => {
      this.events.push(event);
      this.notify?.();
    });
  }

  /** The next event, waiting for it as long as the run goes on. */
  async next(): Promise<RunStreamEvent> {
    while (this.events.length === 0) {
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), STORED_STATE_CHECK_MS);
        this.notify = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.notify = null;
      if (!woke && this.events.length === 0) this.events.push(...(await this.fromStore()));
    }
    return this.events.shift()!;
  }

  close(): void {
    this.unsubscribe();
  }
}
