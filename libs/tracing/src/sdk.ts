// Loaded only when tracing is on (start-tracing.ts requires it lazily): with tracing off no SDK code is loaded.
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
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
  Sampler,
  SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { redactQuery, redactUrl } from './redaction';
import type { TracingPlan } from './settings';

/** Incoming requests that get no span: probes and metric scrapes would drown the traces. */
const UNTRACED_PATHS = /^\/(health|health\/details|ready|metrics)\/?(\?|$)/;

export function buildSampler(sampler: TracingPlan['sampler']): Sampler {
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

function buildExporter(plan: TracingPlan): SpanExporter {
  if (plan.exporter === 'console') return new ConsoleSpanExporter();
  const options = { url: plan.url, headers: plan.headers };
  return plan.protocol === 'http/json' ? new OTLPJsonTraceExporter(options) : new OTLPProtoTraceExporter(options);
}

/** Registers the provider, the W3C propagators and the http/pg/ioredis instrumentations; returns the provider. */
export function startSdk(plan: TracingPlan, exporter?: SpanExporter): NodeTracerProvider {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes(plan.resource),
    sampler: buildSampler(plan.sampler),
    spanProcessors: [new BatchSpanProcessor(exporter ?? buildExporter(plan))],
  });
  provider.register({
    propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
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
      new PgInstrumentation({ requireParentSpan: true }),
      // Only the command: keys and arguments name users, addresses and keys.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command: string) => command }),
    ],
  });
  return provider;
}
