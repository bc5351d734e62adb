import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { activeTraceIds, withIncomingSpan, withOutgoingSpan } from './spans';
import { flushTracing, isTracingOn, startTracing } from './start-tracing';

/** A NATS-like header bag: `get` answers '' for a missing key. */
function headers(): { get(k: string): string; set(k: string, v: string): void; all: Map<string, string> } {
  const all = new Map<string, string>();
  return { all, get: (k) => all.get(k) ?? '', set: (k, v) => void all.set(k, v) };
}

describe('bus spans and W3C propagation through message headers', () => {
  const exporter = new InMemorySpanExporter();

  it('does nothing at all while tracing is off', async () => {
    expect(isTracingOn()).toBe(false);
    const h = headers();
    expect(await withOutgoingSpan({ subject: 's', operation: 'publish', kind: SpanKind.PRODUCER }, h, async () => 7)).toBe(7);
    expect(h.all.size).toBe(0);
    expect(withIncomingSpan({ subject: 's', operation: 'process', kind: SpanKind.CONSUMER }, h, () => activeTraceIds())).toBeUndefined();
  });

  it('links a receiver span to its sender through traceparent, carrying baggage, and ends spans with their promise', async () => {
    startTracing('test', { env: {}, exporter, log: () => undefined });
    expect(isTracingOn()).toBe(true);
    const h = headers();
    const sent = await withOutgoingSpan({ subject: 'wf.node.execute.v1', operation: 'publish', kind: SpanKind.PRODUCER }, h, async () =>
      activeTraceIds(),
    );
    expect(h.get('traceparent')).toMatch(new RegExp(`^00-${sent!.trace_id}-${sent!.span_id}-01$`));
    const received = await withIncomingSpan(
      {
        subject: 'wf.node.execute.v1',
        operation: 'process',
        kind: SpanKind.CONSUMER,
        attributes: () => ({ 'weft.bus.delivery_count': 2 }),
      },
      h,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return activeTraceIds();
      },
    );
    expect(received!.trace_id).toBe(sent!.trace_id);
    await expect(
      withIncomingSpan({ subject: 'kb.search.v1', operation: 'process', kind: SpanKind.SERVER }, h, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await flushTracing();
    const spans = exporter.getFinishedSpans();
    const producer = spans.find((s) => s.name === 'wf.node.execute.v1 publish')!;
    const consumer = spans.find((s) => s.name === 'wf.node.execute.v1 process')!;
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.attributes).toMatchObject({ 'messaging.destination.name': 'wf.node.execute.v1', 'messaging.system': 'nats' });
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.attributes['weft.bus.delivery_count']).toBe(2);
    expect(spans.find((s) => s.name === 'kb.search.v1 process')!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'boom' });
  });
});
