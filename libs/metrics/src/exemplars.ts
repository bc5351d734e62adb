import type { FactoryProvider } from '@nestjs/common';
import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import { makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { register as defaultRegistry, Registry, type Histogram, type LabelValues, type RegistryContentType } from 'prom-client';

/** prom-client's default registry, typed to accept either content type (it is switched for OpenMetrics renders). */
export const metricsRegistry = defaultRegistry as unknown as Registry<RegistryContentType>;

/**
 * A histogram provider whose histogram keeps an exemplar (the active span) per bucket. prom-client lets
 * such a metric join a registry only while the registry is in OpenMetrics mode; the default registry is
 * switched for the construction alone and renders Prometheus text otherwise (see `renderMetrics`).
 * Observe it with `observeWithTrace`.
 */
export function makeExemplarHistogramProvider(options: Parameters<typeof makeHistogramProvider>[0]): FactoryProvider {
  const provider = makeHistogramProvider({ ...options, enableExemplars: true }) as FactoryProvider;
  return {
    ...provider,
    useFactory: (...args: unknown[]) => {
      const previous = metricsRegistry.contentType;
      metricsRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
      try {
        return provider.useFactory(...args) as unknown;
      } finally {
        metricsRegistry.setContentType(previous);
      }
    },
  };
}

/** The exemplar labels of the active span (`trace_id`, `span_id`), or none when tracing is off or the span is not sampled. */
export function traceExemplarLabels(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  // An unsampled span is never exported: an exemplar pointing at it would lead nowhere.
  if (!span || !isSpanContextValid(span) || (span.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { span_id: span.spanId, trace_id: span.traceId };
}

/**
 * Observes a histogram value with the active span as its exemplar when the histogram keeps exemplars
 * (prom-client then takes one object argument), and plainly otherwise.
 */
export function observeWithTrace<T extends string>(
  histogram: Histogram<T>,
  labels: LabelValues<T>,
  value: number,
  exemplarLabels: Record<string, string> = traceExemplarLabels(),
): void {
  if ((histogram as unknown as { enableExemplars?: boolean }).enableExemplars)
    histogram.observe({ exemplarLabels: exemplarLabels as LabelValues<T>, labels, value });
  else histogram.observe(labels, value);
}
