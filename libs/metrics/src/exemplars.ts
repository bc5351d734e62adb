import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import type { Histogram, LabelValues } from 'prom-client';

/** The exemplar labels of the active span (`trace_id`, `span_id`), or none when tracing is off or the span is not sampled. */
export function traceExemplarLabels(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  // An unsampled span is never exported: an exemplar pointing at it would lead nowhere.
  if (!span || !isSpanContextValid(span) || (span.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { span_id: span.spanId, trace_id: span.traceId };
}

/**
 * Observes a histogram value with the active span as its exemplar when the histogram was made with
 * `enableExemplars` (prom-client then takes one object argument), and plainly otherwise.
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
