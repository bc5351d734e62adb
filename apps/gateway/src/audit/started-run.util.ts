import type { AuditEvent } from '@weft/contracts';
import { currentContext, type RequestContext } from '@weft/logging';

/** Notes on the request's context the run it starts, so the request's `run.started` audit event names it. */
export function noteStartedRun(runId: string): void {
  const ctx = currentContext();
  if (ctx) ctx.runId = runId;
}

/** The run the current request started, if any. */
export function startedRunId(): string | null {
  return currentContext()?.runId ?? null;
}

/**
 * A run-starting request's `run.started` event on its way to the orchestrator, which stores it with the run
 * row and sends it on, so the event survives a gateway that dies before the run ends. `stored` says the
 * orchestrator took it; otherwise (a refusal, no answer) the gateway records it itself, under the same id.
 */
interface StartAuditHandoff {
  event?: AuditEvent;
  prepare: () => AuditEvent;
  stored: boolean;
}

const handoffs = new WeakMap<RequestContext, StartAuditHandoff>();

/** Offers how to build the current request's `run.started` event (the audit interceptor does, before the handler). */
export function offerStartAudit(prepare: () => AuditEvent): void {
  const ctx = currentContext();
  if (ctx) handoffs.set(ctx, { prepare, stored: false });
}

/** The current request's `run.started` event, built once (after `noteStartedRun`), or null on a route without one. */
export function startAuditEvent(): AuditEvent | null {
  const handoff = handoffsOfCurrent();
  if (!handoff) return null;
  handoff.event ??= handoff.prepare();
  return handoff.event;
}

/** The orchestrator stored the current request's `run.started` event with its run: it sends it, not the gateway. */
export function noteStartAuditStored(): void {
  const handoff = handoffsOfCurrent();
  if (handoff) handoff.stored = true;
}

/** What became of the current request's `run.started` event: built (and then its id is kept), and stored or not. */
export function startAuditHandoff(): { event?: AuditEvent; stored: boolean } | undefined {
  return handoffsOfCurrent();
}

function handoffsOfCurrent(): StartAuditHandoff | undefined {
  const ctx = currentContext();
  return ctx ? handoffs.get(ctx) : undefined;
}
