import { Logger } from '@nestjs/common';
import type { RunStreamEvent } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';

/** How often a waiting reader checks the stored run, in case its live events were missed. */
export const STORED_STATE_CHECK_MS = 5000;

/** The run a feed follows. */
export interface FollowedRun {
  appId: string;
  runId: string;
  workspaceId: string;
}

const logger = new Logger('RunEventFeed');

/**
 * A run's live events, subscribed to before the run is started so none is missed, read one at a time.
 * When nothing arrives for a while the reader asks the orchestrator whether the run has ended meanwhile
 * (a lost event, an orchestrator that died): the events that ended it are read next, exactly as its live
 * stream would have sent them, and a chat run's whole answer is kept in `storedAnswer`.
 */
export class RunEventFeed {
  private readonly events: RunStreamEvent[] = [];
  private notify: (() => void) | null = null;
  private readonly unsubscribe: () => void;
  /** A chat run's answer as stored, once the run was found ended in the store. */
  storedAnswer: string | null = null;

  /**
   * `endOnly`: only the events that end the run (`wf.run.ended.v1`), for a caller that answers once the run
   * has ended (a blocking workflow run or chat turn); otherwise every event of its live stream.
   */
  constructor(
    private readonly bus: MessageBus,
    private readonly run: FollowedRun,
    { endOnly = false }: { endOnly?: boolean } = {},
  ) {
    this.unsubscribe = bus.listen(endOnly ? 'wf.run.ended.v1' : 'wf.run.event.v1', run.runId, (event) => {
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

  private async fromStore(): Promise<RunStreamEvent[]> {
    try {
      const ending = await this.bus.request('wf.run.ending.v1', this.run);
      if (ending.answer !== null) this.storedAnswer = ending.answer;
      return ending.events;
    } catch (error) {
      logger.warn(`Could not read run "${this.run.runId}" while waiting for it: ${(error as Error).message}`);
      return [];
    }
  }
}
