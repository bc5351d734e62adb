import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, RemoteError, type RequestOf, type ResponseOf } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { noteStartAuditStored, startAuditEvent } from '../audit/started-run.util';

/** How long one send of a start waits for an orchestrator's answer before it is sent again. */
export const START_ATTEMPT_TIMEOUT_MS = 10_000;
/** The pause before the first resend; it doubles up to `MAX_BACKOFF_MS`. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;

export const RUN_DISPATCH_SETTINGS = Symbol('RUN_DISPATCH_SETTINGS');

/** How long the gateway keeps trying to hand a run to an orchestrator. */
export interface RunDispatchSettings {
  deadlineMs: number;
}

/**
 * Whether a failed send of a start may be sent again: nothing answered (no orchestrator, a timeout, a
 * dropped connection) or an orchestrator failed inside (its database was away). A refusal (bad inputs, no
 * published workflow, an unknown conversation) is an answer and is final.
 */
export function isUnanswered(error: unknown): boolean {
  if (!(error instanceof DomainError)) return false;
  if (error instanceof RemoteError) return error.code === 'internal_error' || error.code === 'unavailable' || error.code === 'timeout';
  return error.code === 'timeout' || error.code === 'unavailable';
}

/**
 * Hands run starts to the orchestrators. The gateway has assigned the run id (and a chat turn's message id),
 * so a start that no orchestrator answered is sent again, unchanged but for its attempt number, until one
 * answers or the dispatch deadline passes: the orchestrators recognise a start they already stored by its ids
 * and answer the stored run, so an orchestrator dying at any instant neither loses nor doubles the run.
 */
@Injectable()
export class RunDispatchService {
  private readonly logger = new Logger(RunDispatchService.name);

  constructor(
    private readonly bus: MessageBus,
    @Inject(RUN_DISPATCH_SETTINGS) private readonly settings: RunDispatchSettings,
  ) {}

  /** Sends `wf.run.start.v1` until an orchestrator answers; a refusal or the deadline ends it with that error. */
  async start(req: Omit<RequestOf<'wf.run.start.v1'>, 'attempt' | 'audit'>): Promise<ResponseOf<'wf.run.start.v1'>> {
    const deadline = Date.now() + this.settings.deadlineMs;
    // The request's run.started event travels with the start and is stored with the run (see started-run.util.ts).
    const audit = startAuditEvent();
    let backoff = FIRST_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      try {
        const answer = await this.bus.request(
          'wf.run.start.v1',
          { ...req, attempt, audit },
          { timeoutMs: Math.max(50, Math.min(START_ATTEMPT_TIMEOUT_MS, left)) },
        );
        if (answer.auditStored) noteStartAuditStored();
        return answer;
      } catch (error) {
        if (!isUnanswered(error) || Date.now() + backoff >= deadline) throw error;
        this.logger.warn(`Start of run "${req.runId}" (attempt ${attempt}) got no answer (${(error as Error).message}); sending it again`);
      }
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}
