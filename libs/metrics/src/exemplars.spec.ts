import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { getToken } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram, register } from 'prom-client';
import { makeExemplarHistogramProvider, observeWithTrace, traceExemplarLabels } from './exemplars';
import { renderMetrics } from './metrics.module';

describe('trace exemplars', () => {
  const provider = makeExemplarHistogramProvider({
    name: 'test_exemplar_duration_seconds',
    help: 'test',
    labelNames: ['route'],
    buckets: [0.1, 1],
  });
  const histogram = provider.useFactory() as Histogram<string>;
  const plain = new Histogram({ name: 'test_plain_duration_seconds', help: 'test', labelNames: ['route'], buckets: [0.1, 1] });
  const counter = new Counter({ name: 'test_things_total', help: 'test' });

  afterAll(() => {
    for (const name of ['test_exemplar_duration_seconds', 'test_plain_duration_seconds', 'test_things_total'])
      register.removeSingleMetric(name);
    trace.disable();
    context.disable();
  });

  it('is made in the default registry, which stays in the Prometheus text format', () => {
    expect(provider.provide).toBe(getToken('test_exemplar_duration_seconds'));
    expect(register.getSingleMetric('test_exemplar_duration_seconds')).toBe(histogram);
    expect(register.contentType).toMatch(/^text\/plain/);
  });

  it('has no exemplar and still observes when no tracer provider is registered (tracing off)', async () => {
    expect(traceExemplarLabels()).toEqual({});
    observeWithTrace(histogram, { route: '/off' }, 0.05);
    observeWithTrace(plain, { route: '/off' }, 0.05);
    const { text } = await renderMetrics(true);
    expect(text).toMatch(/^test_exemplar_duration_seconds_count\{route="\/off"\} 1$/m);
    expect(text).toMatch(/^test_plain_duration_seconds_count\{route="\/off"\} 1$/m);
    expect(text).not.toMatch(/route="\/off"[^\n]*# \{/);
  });

  describe('with a tracer provider', () => {
    const tracing = new NodeTracerProvider({ sampler: new AlwaysOnSampler() });
    beforeAll(() => tracing.register());
    afterAll(() => tracing.shutdown());

    it('links the observation to the active sampled span, in OpenMetrics only, and leaves the Prometheus text as it was', async () => {
      counter.inc();
      const span = trace.getTracer('weft').startSpan('request');
      const { traceId, spanId } = span.spanContext();
      context.with(trace.setSpan(context.active(), span), () => observeWithTrace(histogram, { route: '/on' }, 0.5));
      span.end();

      const open = await renderMetrics(true);
      expect(open.contentType).toMatch(/^application\/openmetrics-text/);
      expect(open.text).toContain(
        `test_exemplar_duration_seconds_bucket{le="1",route="/on"} 1 # {span_id="${spanId}",trace_id="${traceId}"} 0.5`,
      );
      expect(open.text.endsWith('# EOF\n')).toBe(true);

      const text = await renderMetrics(false);
      expect(text.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(text.text).not.toContain(traceId);
      // prom-client renames counters for an OpenMetrics render; the Prometheus text must keep their names.
      expect(text.text).toMatch(/^# TYPE test_things_total counter$/m);
      expect(text.text).toMatch(/^test_things_total 1$/m);
    });

    it('takes no exemplar from an unsampled span (it is never exported)', () => {
      const unsampled = trace.wrapSpanContext({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.NONE,
      });
      expect(context.with(trace.setSpan(context.active(), unsampled), () => traceExemplarLabels())).toEqual({});
      const sampled = trace.wrapSpanContext({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.SAMPLED,
      });
      expect(context.with(trace.setSpan(context.active(), sampled), () => traceExemplarLabels())).toEqual({
        span_id: 'b7ad6b7169203331',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
      });
    });

    it('renders one format at a time when scrapes of both kinds overlap', async () => {
      const renders = await Promise.all([renderMetrics(true), renderMetrics(false), renderMetrics(true), renderMetrics(false)]);
      for (const { contentType, text } of renders) {
        const openMetrics = contentType.startsWith('application/openmetrics-text');
        expect(text.endsWith('# EOF\n')).toBe(openMetrics);
        expect(/^# TYPE test_things_total counter$/m.test(text)).toBe(!openMetrics);
      }
    });
  });
});
