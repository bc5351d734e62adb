import { currentContext } from '@weft/logging';

/** Notes on the request's context the run it starts, so the request's `run.started` audit event names it. */
export function noteStartedRun(runId: string): void {
  const ctx = currentContext();
  if (ctx) ctx.runId = runId;
}

/** The run the current request started, if any. */
export function startedRunId(): string | null {
  return currentContext()?.runId ?? null;
}
