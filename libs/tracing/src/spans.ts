import {
  Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  INVALID_SPAN_CONTEXT,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { activeTraceContext } from './async-context';
import { isTracingOn } from './start-tracing';
import { contextWithSpan, unsampledFromTraceparent, unsampledSpanContext, unsampledTraceparent } from './unsampled';

/** The one tracer every Weft span comes from. */
export function weftTracer(): Tracer {
  return trace.getTracer('weft');
}

/** What the SDK answers for a span started where tracing is suppressed: no trace, nothing recorded (one, shared). */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Starts a span of Weft's tracer under `parent` (by default the active context). Under an unsampled trace
 * (tracing suppressed there) the SDK would answer a span without a trace that records nothing; that answer is
 * given here at once, without the API's provider and tracer lookups and the SDK's checks: a run's span and
 * each of its node spans, in every unsampled run.
 */
export function startWeftSpan(name: string, options: SpanOptions, parent: Context = activeTraceContext()): Span {
  return unsampledSpanContext(parent) ? NO_SPAN : weftTracer().startSpan(name, options, parent);
}

/** Headers of a message on the bus (NATS `MsgHdrs` has this shape; `get` answers '' for a missing header). */
export interface MessageHeaders {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

const setter = { set: (carrier: MessageHeaders, key: string, value: string) => carrier.set(key, value) };
const getter = {
  get: (carrier: MessageHeaders | undefined, key: string) => carrier?.get(key) || undefined,
  // W3C trace context and baggage read only their own keys; the propagators never list the carrier.
  keys: () => [] as string[],
};

/**
 * The trace and span ids of the active span (or of the unsampled trace the context carries: its sender's span
 * id), for log lines; undefined when tracing is off or the work is in no trace.
 */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!isTracingOn()) return undefined;
  const active = activeTraceContext();
  const ids = trace.getSpan(active)?.spanContext() ?? unsampledSpanContext(active);
  if (!ids) return undefined;
  return { trace_id: ids.traceId, span_id: ids.spanId };
}

/** What the registered propagator writes for `ctx`; an unsampled trace's one header written directly. */
function inject(ctx: Context, headers: MessageHeaders): void {
  const traceparent = unsampledTraceparent(ctx);
  if (traceparent) headers.set('traceparent', traceparent);
  else propagation.inject(ctx, headers, setter);
}

/**
 * The context incoming headers carry. Most messages are of unsampled traces: their `traceparent` (flags `00`)
 * is read straight into the unsampled context, one header lookup and one context copy; anything else goes
 * through the registered propagators (W3C trace context and baggage).
 */
function incomingContext(headers: MessageHeaders | undefined): Context {
  const traceparent = headers?.get('traceparent');
  const unsampled = traceparent ? unsampledFromTraceparent(traceparent) : undefined;
  return unsampled ?? propagation.extract(ROOT_CONTEXT, headers, getter);
}

export type BusOperation = 'publish' | 'request' | 'process';

export interface BusSpanOptions {
  /** The contract subject (no stack prefix, no per-key suffix): names the span and is `messaging.destination.name`. */
  subject: string;
  operation: BusOperation;
  /** CLIENT/SERVER for request/reply, PRODUCER/CONSUMER for JetStream events and work-queue jobs. */
  kind: SpanKind;
  /** More attributes, or a function building them (called only when tracing is on). */
  attributes?: Attributes | (() => Attributes);
}

function busAttributes(options: BusSpanOptions): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': options.subject,
    'messaging.operation.name': options.operation,
    'messaging.operation.type': options.operation === 'process' ? 'process' : 'send',
    ...(typeof options.attributes === 'function' ? options.attributes() : options.attributes),
  };
}

function endWith<T>(span: ReturnType<Tracer['startSpan']>, result: T): T {
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        fail(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

function fail(span: ReturnType<Tracer['startSpan']>, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (error instanceof Error) span.recordException(error);
}

/**
 * Sends a message inside a `{subject} publish|request` span whose context goes out in `headers`, so the
 * receiver's span is its child. `fn` sends the message; its promise (if any) ends the span. Tracing off:
 * just `fn()`.
 */
export function withOutgoingSpan<T>(options: BusSpanOptions, headers: MessageHeaders, fn: () => T): T {
  if (!isTracingOn()) return fn();
  const active = activeTraceContext();
  if (unsampledSpanContext(active)) {
    // Not sampled upstream: no span, the decision goes on in the headers.
    inject(active, headers);
    return fn();
  }
  const span = weftTracer().startSpan(`${options.subject} ${options.operation}`, {
    kind: options.kind,
    attributes: busAttributes(options),
  });
  const ctx = contextWithSpan(active, span);
  inject(ctx, headers);
  if (!span.isRecording()) return context.with(ctx, fn);
  try {
    return endWith(span, context.with(ctx, fn));
  } catch (error) {
    fail(span, error);
    span.end();
    throw error;
  }
}

/**
 * Handles a received message inside a `{subject} process` span, the child of the context its headers
 * carry (the sender's span, in whichever service and whichever delivery). Tracing off: just `fn()`.
 * `fn` may mark the outcome with `markError` when it handles a failure itself (a nak, an error reply).
 */
export function withIncomingSpan<T>(options: BusSpanOptions, headers: MessageHeaders | undefined, fn: () => T): T {
  if (!isTracingOn()) return fn();
  const parent = incomingContext(headers);
  // Not sampled where it was sent: handled in that context, without a span.
  if (unsampledSpanContext(parent)) return context.with(parent, fn);
  const span = weftTracer().startSpan(
    `${options.subject} ${options.operation}`,
    { kind: options.kind, attributes: busAttributes(options) },
    parent,
  );
  const ctx = contextWithSpan(parent, span);
  if (!span.isRecording()) return context.with(ctx, fn);
  try {
    return endWith(span, context.with(ctx, fn));
  } catch (error) {
    fail(span, error);
    span.end();
    throw error;
  }
}

/** Marks the active span failed (a handler that turns its error into a reply or a redelivery); nothing when tracing is off. */
export function markActiveSpanError(error: unknown): void {
  if (!isTracingOn()) return;
  const span = trace.getActiveSpan();
  if (span) fail(span, error);
}

export { SpanKind };
