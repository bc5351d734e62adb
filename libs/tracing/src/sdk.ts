// Loaded only when tracing is on (start-tracing.ts requires it lazily): with tracing off no SDK code is loaded.
import { CompositePropagator, parseTraceParent, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  RandomIdGenerator,
  Sampler,
  SamplingDecision,
  SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { context, isSpanContextValid, trace, type Context, type SpanContext, TraceFlags } from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestOptions, ServerResponse } from 'node:http';
import { activeTraceContext } from './async-context';
import { SharedStorageContextManager } from './context-manager';
import { redactQuery, redactUrl } from './redaction';
import type { TracingPlan } from './settings';
import { markSampledRoot, SAMPLED_ROOT, UnsampledAwarePropagator, unsampledContext } from './unsampled';

/** Incoming requests that get no span: probes and metric scrapes would drown the traces. */
const UNTRACED_PATHS = /^\/(health|health\/details|ready|metrics)\/?(\?|$)/;

/** The configured sampler, but a root span whose sampling the HTTP fast path already decided is recorded without asking again. */
class DecidedRootSampler implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(ctx: Context, ...rest: Parameters<Sampler['shouldSample']> extends [Context, ...infer R] ? R : never) {
    if (ctx.getValue(SAMPLED_ROOT) === true && !trace.getSpanContext(ctx)) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return this.inner.shouldSample(ctx, ...rest);
  }

  toString(): string {
    return this.inner.toString();
  }
}

export function buildSampler(sampler: TracingPlan['sampler']): Sampler {
  return new DecidedRootSampler(configuredSampler(sampler));
}

function configuredSampler(sampler: TracingPlan['sampler']): Sampler {
  const ratio = new TraceIdRatioBasedSampler(sampler.ratio);
  switch (sampler.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/** The absolute URL of an outgoing request, from the options http.request was given. */
function outgoingUrl(options: RequestOptions): string {
  const name = options.hostname ?? options.host ?? 'localhost';
  const host = name.includes(':') && !name.startsWith('[') && options.hostname ? `[${name}]` : name;
  const port = options.port && (options.hostname || !name.includes(':')) ? `:${options.port}` : '';
  return `${options.protocol ?? 'http:'}//${host}${port}${options.path ?? '/'}`;
}

/** The SDK's own id generator (what a span of a new trace would get), cheaper than the crypto module for ids that are not secrets. */
const ids = new RandomIdGenerator();

/** What the HTTP fast path does with a request: the instrumentation traces it, it starts a sampled trace, or it goes on unsampled. */
export type RequestDecision = 'traced' | 'sampled-root' | SpanContext;

/**
 * The sampling decision for an incoming request, taken before any span exists, for the parent-based samplers
 * (the others decide per span: every request goes to the instrumentation). A sampled `traceparent` is traced;
 * an unsampled one stays unsampled; without one, a new trace is sampled with the root sampler's probability,
 * and one not sampled gets fresh ids, so the services it calls follow the decision instead of taking their own.
 */
export function requestDecision(sampler: TracingPlan['sampler'], req: Pick<IncomingMessage, 'headers' | 'url'>): RequestDecision {
  if (!sampler.kind.startsWith('parentbased_') || UNTRACED_PATHS.test(req.url ?? '')) return 'traced';
  const header = req.headers['traceparent'];
  // Read as the W3C propagator reads it, so the fast path and the instrumentation see the same parent.
  const parent = typeof header === 'string' ? parseTraceParent(header) : null;
  if (parent && isSpanContextValid(parent)) {
    if ((parent.traceFlags & TraceFlags.SAMPLED) !== 0) return 'traced';
    return { traceId: parent.traceId, spanId: parent.spanId, traceFlags: TraceFlags.NONE, isRemote: true };
  }
  if (sampler.kind === 'parentbased_always_on') return 'traced';
  if (sampler.kind === 'parentbased_traceidratio' && Math.random() < sampler.ratio) return 'sampled-root';
  return { traceId: ids.generateTraceId(), spanId: ids.generateSpanId(), traceFlags: TraceFlags.NONE, isRemote: true };
}

type EmitFunction = (this: unknown, event: string, ...args: unknown[]) => boolean;

/**
 * Makes every event `emitter` emits run in `ctx`: one wrapper of `emit`, where the context manager's `bind`
 * patches five methods and wraps each listener as it is added (the cheaper of the two for a request's few events).
 * An event nobody listens to (most of a request's and response's), or one emitted in `ctx` already, is
 * emitted as it is: entering the context would change nothing.
 */
function emitIn(ctx: Context, emitter: Pick<EventEmitter, 'emit' | 'listenerCount'>): void {
  const emit = emitter.emit as EmitFunction;
  emitter.emit = function emitInContext(this: EventEmitter, event: string, ...args: unknown[]) {
    if (this.listenerCount(event) === 0 || activeTraceContext() === ctx) return emit.apply(this, [event, ...args]);
    return context.with(ctx, () => emit.apply(this, [event, ...args]));
  };
}

/**
 * Gives the HTTP instrumentation a fast path for requests that are not sampled: such a request is handed to
 * the server's own handler in an unsampled context (no span, no attributes, no metrics), as if the
 * instrumentation were not there, instead of getting a non-recording span and all that goes with it.
 * Wraps the instrumentation's patch of `Server.prototype.emit` (`_incomingRequestFunction`, version-pinned;
 * `unsampled.spec.ts` fails if it moves).
 */
export function withUnsampledFastPath(instrumentation: HttpInstrumentation, sampler: TracingPlan['sampler']): HttpInstrumentation {
  const target = instrumentation as unknown as { _incomingRequestFunction?: (component: string, original: EmitFunction) => EmitFunction };
  const traced = target._incomingRequestFunction?.bind(instrumentation);
  if (!traced)
    throw new Error('HttpInstrumentation has no _incomingRequestFunction: update the unsampled fast path in libs/tracing/src/sdk.ts.');
  target._incomingRequestFunction = (component, original) => {
    const patched = traced(component, original);
    return function emit(this: unknown, event, ...args) {
      if (event !== 'request') return patched.apply(this, [event, ...args]);
      const decision = requestDecision(sampler, args[0] as IncomingMessage);
      if (decision === 'traced') return patched.apply(this, [event, ...args]);
      if (decision === 'sampled-root') {
        // The instrumentation extracts the request's context from its headers (into a new context): marked, they say "sampled".
        markSampledRoot((args[0] as IncomingMessage).headers);
        return patched.apply(this, [event, ...args]);
      }
      const ctx = unsampledContext(activeTraceContext(), decision);
      return context.with(ctx, () => {
        // The request's and response's listeners (body parsing, 'finish') run in it too, as the instrumentation's do in its.
        emitIn(ctx, args[0] as IncomingMessage);
        emitIn(ctx, args[1] as ServerResponse);
        return original.apply(this, [event, ...args]);
      });
    };
  };
  return instrumentation;
}

/**
 * The pg instrumentation without its pool metrics: it listens to every pool checkout and release (sampled or
 * not) to feed OpenTelemetry connection-count metrics, which Weft does not export (its metrics are Prometheus,
 * libs/metrics), so each listener only allocated attributes for a no-op meter. Replaces the method that adds
 * the listeners (`_setPoolConnectEventListeners`, version-pinned; `sdk.spec.ts` fails if it moves).
 */
export function withoutPoolMetrics(instrumentation: PgInstrumentation): PgInstrumentation {
  const target = instrumentation as unknown as { _setPoolConnectEventListeners?: (pool: unknown) => void };
  if (typeof target._setPoolConnectEventListeners !== 'function')
    throw new Error('PgInstrumentation has no _setPoolConnectEventListeners: update withoutPoolMetrics in libs/tracing/src/sdk.ts.');
  target._setPoolConnectEventListeners = () => undefined;
  return instrumentation;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;
type PatchFactory = () => (original: Method) => Method;
/** The pg instrumentation's patches of `Client.prototype.query` and `Pool.prototype.connect` (version-pinned). */
const PG_PATCHES = ['_getClientQueryPatch', '_getPoolConnectPatch'] as const;

/**
 * The pg instrumentation with a direct path for work outside any span (an unsampled run, a background job):
 * the query or checkout goes straight to pg, as the instrumentation itself decides with `requireParentSpan`
 * (`shouldSkipInstrumentation`), but read from the shared storage's frame instead of through the
 * OpenTelemetry API's global lookups, and without its rest-argument copy. Work inside a span takes the
 * instrumentation's own path unchanged. Wraps the two patch factories (`sdk.spec.ts` fails if they move).
 */
export function withDirectUntracedQueries(instrumentation: PgInstrumentation): PgInstrumentation {
  const target = instrumentation as unknown as Record<(typeof PG_PATCHES)[number], PatchFactory | undefined>;
  for (const name of PG_PATCHES) {
    const factory = target[name]?.bind(instrumentation);
    if (typeof factory !== 'function')
      throw new Error(`PgInstrumentation has no ${name}: update withDirectUntracedQueries in libs/tracing/src/sdk.ts.`);
    target[name] = () => {
      const patch = factory();
      return (original) => {
        const traced = patch(original);
        return function direct(this: unknown) {
          // eslint-disable-next-line prefer-rest-params -- no array copy per query on the hot path
          const args = arguments as unknown as unknown[];
          return trace.getSpan(activeTraceContext()) !== undefined ? traced.apply(this, args) : original.apply(this, args);
        };
      };
    };
  }
  return instrumentation;
}

function buildExporter(plan: TracingPlan): SpanExporter {
  if (plan.exporter === 'console') return new ConsoleSpanExporter();
  const options = { url: plan.url, headers: plan.headers };
  return plan.protocol === 'http/json' ? new OTLPJsonTraceExporter(options) : new OTLPProtoTraceExporter(options);
}

/** The batch span processor with the plan's `OTEL_BSP_*` settings (the SDK's own defaults ignore the environment). */
export function batchProcessorFor(plan: Pick<TracingPlan, 'batch'>, exporter: SpanExporter): BatchSpanProcessor {
  return new BatchSpanProcessor(exporter, plan.batch);
}

/** Registers the provider, the W3C propagators and the http/pg/ioredis instrumentations; returns the provider. */
export function startSdk(plan: TracingPlan, exporter?: SpanExporter): NodeTracerProvider {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes(plan.resource),
    sampler: buildSampler(plan.sampler),
    spanProcessors: [batchProcessorFor(plan, exporter ?? buildExporter(plan))],
  });
  provider.register({
    contextManager: new SharedStorageContextManager(),
    propagator: new UnsampledAwarePropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    ),
  });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      withUnsampledFastPath(
        new HttpInstrumentation({
          ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
          // Query values never reach a span (the request log redacts them too); outgoing URLs lose their credentials as well.
          startIncomingSpanHook: (req: IncomingMessage) => {
            const at = req.url?.indexOf('?') ?? -1;
            return at < 0 ? {} : { 'url.query': redactQuery(req.url!.slice(at + 1)) };
          },
          startOutgoingSpanHook: (options: RequestOptions) => ({ 'url.full': redactUrl(outgoingUrl(options)) }),
          // A health probe of another service or a scrape is no work of any request; only calls inside a trace get a span.
          requireParentforOutgoingSpans: true,
        }),
        plan.sampler,
      ),
      // No spans for pool checkouts and connects (each parsed the pool's URL again): a query's span shows its wait.
      withDirectUntracedQueries(withoutPoolMetrics(new PgInstrumentation({ ignoreConnectSpans: true, requireParentSpan: true }))),
      // Only the command: keys and arguments name users, addresses and keys.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command: string) => command }),
    ],
  });
  return provider;
}
