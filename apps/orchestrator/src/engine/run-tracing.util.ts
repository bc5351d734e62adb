import {
  context,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import type { ChatTurn } from '@weft/contracts';
import { activeTraceContext, contextWithSpan, startWeftSpan } from '@weft/tracing';
import type { GraphNode } from '@weft/workflow';

/**
 * The orchestrator's spans: one `weft.workflow.run` per run an instance drives (a resumed run gets its own,
 * linked to the original's stored context) and one `weft.node.execute` per node execution attempt, parent of
 * the node runner's job through the NATS headers. Without a registered tracer provider every call returns a
 * non-recording span and costs a few allocations; a span the sampler dropped leaves its work in the unsampled
 * context (`contextWithSpan`), so nothing under it pays for spans.
 */

/** What the run span describes. */
export interface TracedRun {
  appId: string;
  chat: Pick<ChatTurn, 'mode'> | null;
  id: string;
  /** The original run span's context (W3C `traceparent`), stored with the run. */
  traceParent?: string | null;
  workflowId: string;
  workspaceId: string;
}

/** Starts the span of a run (under the active context: the start request's); a resumption links to the stored original. */
export function startRunSpan(run: TracedRun, reason: 'initial' | 'resumption'): Span {
  const links: Link[] = [];
  const original = reason === 'resumption' && run.traceParent ? parseTraceparent(run.traceParent) : null;
  if (original) links.push({ attributes: { 'weft.link.reason': 'resumed' }, context: original });
  return startWeftSpan('weft.workflow.run', {
    attributes: {
      'weft.app.id': run.appId,
      'weft.run.id': run.id,
      'weft.run.mode': run.chat?.mode ?? 'workflow',
      'weft.run.resumed': reason === 'resumption',
      'weft.workflow.id': run.workflowId,
      'weft.workspace.id': run.workspaceId,
    },
    kind: SpanKind.INTERNAL,
    links,
  });
}

/** Ends a run's span with how the run ended (ERROR when it failed); `ending` null when this start stored nothing. */
export function endRunSpan(span: Span, ending: { error: string | null; status: string } | null): void {
  if (ending) {
    span.setAttribute('weft.run.status', ending.status);
    if (ending.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: ending.error ?? 'The run failed.' });
  } else {
    // Another start of the same run id stored it; that start's span is the run's.
    span.setAttribute('weft.run.superseded', true);
  }
  span.end();
}

/** Marks a run span failed by an error of the engine itself (the run is then stored failed). */
export function failRunSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setAttribute('weft.run.status', 'failed');
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The W3C `traceparent` of a span, to store with its run; null for a span without a valid context (tracing off). */
export function traceparentOf(span: Span): string | null {
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx)) return null;
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A stored `traceparent` as a remote span context; null when it is not a valid version-00 header. */
export function parseTraceparent(value: string): SpanContext | null {
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return null;
  const spanContext: SpanContext = { isRemote: true, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16), traceId: match[1]! };
  return isSpanContextValid(spanContext) ? spanContext : null;
}

/** The context a run's nodes start under: the run span's (or its trace's, unsampled, when the sampler dropped it). */
export function runContext(span: Span): Context {
  return contextWithSpan(activeTraceContext(), span);
}

/** What a node span says about where the node ran: its container's round, and which attempt this is. */
export interface NodeAttempt {
  container: { id: string; index: number; kind: 'iteration' | 'loop' } | null;
  retryIndex: number;
}

/** Starts the span of one attempt at a node, under `parent` (the run's, or the enclosing iteration/loop node's). */
export function startNodeSpan(parent: Context, node: GraphNode, attempt: NodeAttempt): Span {
  const attributes: Attributes = {
    'weft.node.id': node.id,
    'weft.node.retry_index': attempt.retryIndex,
    'weft.node.title': node.title,
    'weft.node.type': node.type,
  };
  if (attempt.container) {
    attributes['weft.node.iteration_index'] = attempt.container.index;
    attributes['weft.node.container_id'] = attempt.container.id;
  }
  return startWeftSpan('weft.node.execute', { attributes, kind: SpanKind.INTERNAL }, parent);
}

const FAILED_NODE_STATUSES = new Set(['exception', 'failed', 'retry']);

/**
 * Ends a node span with the status the engine gave the attempt (`retry` for one that is retried). A node that
 * failed (whether or not its error strategy handled it: `exception`) has span status ERROR; a stopped one does not.
 */
export function endNodeSpan(span: Span, status: string, error: string | null): void {
  span.setAttribute('weft.node.status', status);
  if (error) span.setAttribute('weft.node.error', error);
  if (FAILED_NODE_STATUSES.has(status)) span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? `The node ended ${status}.` });
  span.end();
}

/** The context a node's executor runs in: a node runner job published from it carries the node span. */
export function nodeContext(parent: Context, span: Span): Context {
  return contextWithSpan(parent, span);
}

/** The active trace context. */
export function activeContext(): Context {
  return activeTraceContext();
}

/**
 * Runs `fn` with `ctx` active (so the bus injects it into the headers of what `fn` publishes). Already active
 * (a node of an unsampled run: its context is the run's, which is the request's) it is simply called: entering
 * the same context again would change nothing.
 */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return ctx === activeTraceContext() ? fn() : context.with(ctx, fn);
}
