import {
  createContextKey,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';

/**
 * The cheap path for work that is not sampled. With a ratio sampler most requests are not recorded, yet an
 * unrecorded span still costs: every span start runs the sampler, and the pg, ioredis and http client
 * instrumentations (`requireParentSpan`) build their attributes and spans for any parent, recorded or not.
 * So an unsampled trace is carried without a span: its context holds the trace's ids under `UNSAMPLED`
 * and suppresses tracing, so no instrumentation sees a parent and every `startSpan` returns at once, while the
 * propagator still writes `traceparent` with the sampled flag off. The next service then follows that
 * decision (parent-based samplers) instead of taking its own, and log lines keep the trace id.
 */
const UNSAMPLED = createContextKey('weft.tracing.unsampled');

/** The root context with tracing suppressed: where every message of an unsampled trace starts (built once). */
const SUPPRESSED_ROOT = suppressTracing(ROOT_CONTEXT);

/**
 * `parent` carrying the unsampled trace `spanContext`: no span in it, tracing suppressed, the ids kept for
 * propagation and logs. Each step copies the context, so only the steps it needs are taken (a message's
 * context starts from the root: one copy).
 */
export function unsampledContext(parent: Context, spanContext: SpanContext): Context {
  const ids: SpanContext = { traceId: spanContext.traceId, spanId: spanContext.spanId, traceFlags: TraceFlags.NONE, isRemote: true };
  let base = parent === ROOT_CONTEXT ? SUPPRESSED_ROOT : parent;
  if (base !== SUPPRESSED_ROOT) {
    if (trace.getSpan(base)) base = trace.deleteSpan(base);
    if (!isTracingSuppressed(base)) base = suppressTracing(base);
  }
  return base.setValue(UNSAMPLED, ids);
}

/** A version-00 `traceparent` with the flags `00` and valid (lowercase hex, not all-zero) trace and parent ids. */
const UNSAMPLED_TRACEPARENT = /^00-((?!0{32})[0-9a-f]{32})-((?!0{16})[0-9a-f]{16})-00$/;

/**
 * The unsampled context an unsampled version-00 `traceparent` (flags `00`, as this propagator writes it)
 * stands for, or undefined for any other header (sampled, other flags, malformed, all-zero ids: those go
 * through the full W3C extract). What the propagator's `extract` would answer for such a header on its own,
 * without reading `tracestate` and `baggage` (never sent with an unsampled trace, see `inject`) and without
 * the context copies of the full path: the bus's cheap path for every unsampled message.
 */
export function unsampledFromTraceparent(header: string): Context | undefined {
  // The W3C propagator's own reading of such a header (parseTraceParent, then isSpanContextValid), in one test.
  const match = UNSAMPLED_TRACEPARENT.exec(header);
  if (!match) return undefined;
  return SUPPRESSED_ROOT.setValue(UNSAMPLED, { traceId: match[1]!, spanId: match[2]!, traceFlags: TraceFlags.NONE, isRemote: true });
}

/** The unsampled trace a context carries, if it carries one. */
export function unsampledSpanContext(ctx: Context): SpanContext | undefined {
  return ctx.getValue(UNSAMPLED) as SpanContext | undefined;
}

/**
 * The context a span's work runs in: the span's own when it records; the unsampled form of its trace when the
 * sampler dropped it (so nothing under it pays for a span); `parent` as it is for a span that has no trace at
 * all (started where tracing is suppressed).
 */
export function contextWithSpan(parent: Context, span: Span): Context {
  if (span.isRecording()) return trace.setSpan(parent, span);
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? unsampledContext(parent, spanContext) : parent;
}

const TRACEPARENT = 'traceparent';

/**
 * The `traceparent` (sampled flag off) that carries the unsampled trace of `ctx` on, or undefined when `ctx`
 * has a span or no unsampled trace: all the propagator writes for such a context (no `tracestate`, no `baggage`).
 */
export function unsampledTraceparent(ctx: Context): string | undefined {
  const unsampled = unsampledSpanContext(ctx);
  return unsampled && !trace.getSpan(ctx) ? `00-${unsampled.traceId}-${unsampled.spanId}-00` : undefined;
}

/** Set on the context of a new trace whose sampling was decided before its first span: the sampler records that span. */
export const SAMPLED_ROOT = createContextKey('weft.tracing.sampled-root');

/** Carriers (an incoming request's headers) of new traces already decided as sampled: extracting from one sets `SAMPLED_ROOT`. */
const sampledRoots = new WeakSet<object>();

/** Marks `carrier` as the headers of a new trace already decided as sampled (the HTTP fast path). */
export function markSampledRoot(carrier: object): void {
  sampledRoots.add(carrier);
}

/**
 * W3C propagation (the wrapped propagator does the work) with unsampled traces carried as above: an incoming
 * `traceparent` whose sampled flag is off becomes an unsampled context, and an unsampled context is written
 * out as a `traceparent` with the flag off (the wrapped W3C propagator writes nothing where tracing is
 * suppressed).
 */
export class UnsampledAwarePropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const traceparent = unsampledTraceparent(ctx);
    if (traceparent) {
      setter.set(carrier, TRACEPARENT, traceparent);
      return;
    }
    this.inner.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.inner.extract(ctx, carrier, getter);
    const remote = trace.getSpanContext(extracted);
    if (remote && remote !== trace.getSpanContext(ctx) && (remote.traceFlags & TraceFlags.SAMPLED) === 0) {
      return unsampledContext(extracted, remote);
    }
    if (!remote && typeof carrier === 'object' && carrier !== null && sampledRoots.has(carrier))
      return extracted.setValue(SAMPLED_ROOT, true);
    return extracted;
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
