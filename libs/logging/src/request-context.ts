import { randomUUID } from 'node:crypto';
import { requestSlot, runWithRequestSlot } from '@weft/tracing';

/** What follows one unit of work (an HTTP request, a NATS message) through every await and every hop. */
export interface RequestContext {
  correlationId: string;
  workspaceId?: string;
  /** In the node runner: the grant of the job being worked on, which its requests to other services carry. */
  jobGrant?: string;
  /** In the gateway: the run a Service API request started, for its `run.started` audit event. */
  runId?: string;
}

// Kept in the process's one AsyncLocalStorage, beside OpenTelemetry's context (libs/tracing/src/async-context.ts).

/** Runs `fn` with a context; everything it awaits sees the same correlation id. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return runWithRequestSlot(context, fn);
}

/** The current context, if any. */
export function currentContext(): RequestContext | undefined {
  return requestSlot() as RequestContext | undefined;
}

/** The current correlation id, or a fresh one when work starts outside any request. */
export function currentCorrelationId(): string {
  return currentContext()?.correlationId ?? randomUUID();
}

/** Accepts a caller-supplied correlation id only when it is short and plain, so logs cannot be forged. */
export function sanitizeCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(value) ? value : undefined;
}
