import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { sharedStorageContextManager } from '@weft/tracing';

/** Spans recorded in memory by a real tracer provider registered for one test file. */
export interface SpanRecorder {
  /** Finished spans so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** Finished spans with this name. */
  named(name: string): ReadableSpan[];
  /** Forgets the spans recorded so far. */
  reset(): void;
  /** Unregisters the provider (spans are no-ops again). */
  stop(): Promise<void>;
}

/**
 * Registers a NodeTracerProvider (the services' context manager, W3C propagation) that keeps every span in memory,
 * as the services' SDK would export them. Call once per test file (beforeAll): `@opentelemetry/api` caches a
 * registered provider's tracers, so registering another one later in the same file is not seen.
 */
export function recordSpans(): SpanRecorder {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register({ contextManager: sharedStorageContextManager() });
  return {
    named: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
    reset: () => exporter.reset(),
    spans: () => exporter.getFinishedSpans(),
    stop: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
