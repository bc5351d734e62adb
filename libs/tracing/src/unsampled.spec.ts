import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createServer, Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestDecision, withUnsampledFastPath } from './sdk';
import { activeTraceIds, startWeftSpan, withIncomingSpan, withOutgoingSpan } from './spans';
import { flushTracing, startTracing } from './start-tracing';
import { contextWithSpan, unsampledFromTraceparent, unsampledSpanContext } from './unsampled';

/** A NATS-like header bag: `get` answers '' for a missing key. */
function headers(init: Record<string, string> = {}): { get(k: string): string; set(k: string, v: string): void; all: Map<string, string> } {
  const all = new Map(Object.entries(init));
  return { all, get: (k) => all.get(k) ?? '', set: (k, v) => void all.set(k, v) };
}

const UNSAMPLED_HEADER = /^00-([0-9a-f]{32})-([0-9a-f]{16})-00$/;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

/** What a handler sees of its context: whether a span is active (what pg/ioredis `requireParentSpan` asks), suppression, the log ids. */
function seen() {
  const active = context.active();
  const span = trace.getSpan(active);
  return { span, recording: span?.isRecording() ?? false, suppressed: isTracingSuppressed(active), ids: activeTraceIds() };
}

describe('unsampled traces: carried without spans, the decision propagated', () => {
  const exporter = new InMemorySpanExporter();
  // Parent-based with a root ratio of 0: every new trace is dropped, a sampled parent is followed.
  beforeAll(() =>
    startTracing('test', {
      env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
      exporter,
      log: () => undefined,
    }),
  );
  // Spans an earlier test ended but did not flush are not this test's.
  beforeEach(async () => {
    await flushTracing();
    exporter.reset();
  });

  it('a new trace the sampler drops still sends a traceparent, with the sampled flag off, and its work has no span', async () => {
    const h = headers();
    const inside = await withOutgoingSpan({ subject: 'wf.run.start.v1', operation: 'request', kind: SpanKind.CLIENT }, h, async () =>
      seen(),
    );
    const sent = UNSAMPLED_HEADER.exec(h.get('traceparent'));
    expect(sent).not.toBeNull();
    expect(inside.span).toBeUndefined();
    expect(inside.suppressed).toBe(true);
    expect(inside.ids).toEqual({ trace_id: sent![1], span_id: sent![2] });
    await flushTracing();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('startWeftSpan: under an unsampled trace, the non-recording span the SDK would give, without asking it; under a sampled one, a child span', async () => {
    const unsampled = unsampledFromTraceparent(`00-${TRACE}-${SPAN}-00`)!;
    const getTracer = jest.spyOn(trace, 'getTracer');
    try {
      const quick = startWeftSpan('weft.node.execute', { attributes: { 'weft.node.id': 'n1' } }, unsampled);
      const sdk = trace.getTracer('weft').startSpan('weft.node.execute', { attributes: { 'weft.node.id': 'n1' } }, unsampled);
      expect(getTracer).toHaveBeenCalledTimes(1);
      expect([quick.isRecording(), isSpanContextValid(quick.spanContext())]).toEqual([false, false]);
      expect([sdk.isRecording(), isSpanContextValid(sdk.spanContext())]).toEqual([false, false]);
      // Its work stays in the unsampled context, exactly as under the SDK's span.
      expect(contextWithSpan(unsampled, quick)).toBe(unsampled);
      expect(contextWithSpan(unsampled, sdk)).toBe(unsampled);
      // The default parent is the active context.
      expect(context.with(unsampled, () => startWeftSpan('weft.workflow.run', {}).isRecording())).toBe(false);
      expect(getTracer).toHaveBeenCalledTimes(1);
    } finally {
      getTracer.mockRestore();
    }
    const sampled = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` });
    const child = context.with(sampled, () => startWeftSpan('weft.workflow.run', {}));
    child.end();
    await flushTracing();
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.spanContext().traceId, s.parentSpanContext?.spanId])).toEqual([
      ['weft.workflow.run', TRACE, SPAN],
    ]);
  });

  it('a receiver of an unsampled message works without a span and passes the same trace on, unsampled', async () => {
    const next = headers();
    const inside = await withIncomingSpan(
      { subject: 'wf.node.execute.v1', operation: 'process', kind: SpanKind.CONSUMER },
      headers({ traceparent: `00-${TRACE}-${SPAN}-00` }),
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await withOutgoingSpan(
          { subject: 'wf.node.result.v1', operation: 'publish', kind: SpanKind.PRODUCER },
          next,
          async () => undefined,
        );
        return seen();
      },
    );
    expect(inside.span).toBeUndefined();
    expect(inside.ids).toEqual({ trace_id: TRACE, span_id: SPAN });
    expect(next.get('traceparent')).toBe(`00-${TRACE}-${SPAN}-00`);
    await flushTracing();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('a sampled parent is still followed: the receiver records its span, and what it sends is sampled', async () => {
    const next = headers();
    const inside = await withIncomingSpan(
      { subject: 'wf.node.execute.v1', operation: 'process', kind: SpanKind.CONSUMER },
      headers({ traceparent: `00-${TRACE}-${SPAN}-01` }),
      async () => {
        await withOutgoingSpan(
          { subject: 'wf.node.result.v1', operation: 'publish', kind: SpanKind.PRODUCER },
          next,
          async () => undefined,
        );
        return seen();
      },
    );
    expect(inside.recording).toBe(true);
    expect(inside.suppressed).toBe(false);
    expect(next.get('traceparent')).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    await flushTracing();
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.spanContext().traceId])).toEqual([
      ['wf.node.result.v1 publish', TRACE],
      ['wf.node.execute.v1 process', TRACE],
    ]);
  });

  it('contextWithSpan: a recording span goes into the context, a dropped one leaves its trace unsampled, an invalid one nothing', () => {
    const tracer = trace.getTracer('weft');
    const sampledParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    const recording = tracer.startSpan('recorded', {}, sampledParent);
    expect(trace.getSpan(contextWithSpan(ROOT_CONTEXT, recording))).toBe(recording);
    recording.end();

    const dropped = tracer.startSpan('dropped', {}, ROOT_CONTEXT);
    expect(dropped.isRecording()).toBe(false);
    const unsampled = contextWithSpan(ROOT_CONTEXT, dropped);
    expect(trace.getSpan(unsampled)).toBeUndefined();
    expect(unsampledSpanContext(unsampled)?.traceId).toBe(dropped.spanContext().traceId);

    const invalid = tracer.startSpan('suppressed', {}, unsampled);
    expect(isSpanContextValid(invalid.spanContext())).toBe(false);
    expect(contextWithSpan(unsampled, invalid)).toBe(unsampled);
  });

  it('propagation: an unsampled traceparent is read into an unsampled context and written back the same', () => {
    const extracted = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-00` });
    expect(trace.getSpan(extracted)).toBeUndefined();
    expect(unsampledSpanContext(extracted)).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
    const carrier: Record<string, string> = {};
    propagation.inject(extracted, carrier);
    expect(carrier['traceparent']).toBe(`00-${TRACE}-${SPAN}-00`);
    // A sampled one is a remote parent span as before.
    const sampled = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` });
    expect(trace.getSpanContext(sampled)).toMatchObject({ traceId: TRACE, spanId: SPAN, isRemote: true });
    expect(unsampledSpanContext(sampled)).toBeUndefined();
  });

  it('the bus reads an unsampled traceparent with one header lookup, into the context the propagator would build', async () => {
    const reads: string[] = [];
    const incoming = headers({ traceparent: `00-${TRACE}-${SPAN}-00`, tracestate: 'vendor=x', baggage: 'k=v' });
    const counted = { get: (k: string) => (reads.push(k), incoming.get(k)), set: incoming.set };
    const next = headers();
    const inside = await withIncomingSpan({ subject: 'wf.node.execute.v1', operation: 'process', kind: SpanKind.CONSUMER }, counted, () => {
      withOutgoingSpan({ subject: 'wf.node.result.v1', operation: 'publish', kind: SpanKind.PRODUCER }, next, () => undefined);
      return seen();
    });
    expect(reads).toEqual(['traceparent']);
    const full = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-00` });
    expect(inside).toEqual({ span: undefined, recording: false, suppressed: true, ids: { trace_id: TRACE, span_id: SPAN } });
    expect(isTracingSuppressed(full)).toBe(true);
    expect(unsampledSpanContext(unsampledFromTraceparent(`00-${TRACE}-${SPAN}-00`)!)).toEqual(unsampledSpanContext(full));
    // What goes on is the one header an unsampled trace carries.
    expect([...next.all]).toEqual([['traceparent', `00-${TRACE}-${SPAN}-00`]]);
    expect(withIncomingSpan({ subject: 's', operation: 'process', kind: SpanKind.CONSUMER }, counted, () => seen().ids)).toEqual({
      trace_id: TRACE,
      span_id: SPAN,
    });
    // Anything but a plain unsampled version-00 header takes the full W3C path (and a sampled one is a parent).
    for (const other of [
      `00-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-02`,
      `01-${TRACE}-${SPAN}-00`,
      `00-${'0'.repeat(32)}-${SPAN}-00`,
      `00-${TRACE}-${'0'.repeat(16)}-00`,
      `00-${TRACE.toUpperCase()}-${SPAN}-00`,
      'garbage',
      ` 00-${TRACE}-${SPAN}-00`,
    ]) {
      expect(unsampledFromTraceparent(other)).toBeUndefined();
    }
    // For any ids, the same context as the propagator's full extract.
    for (let i = 0; i < 50; i++) {
      const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
      const header = `00-${hex(32)}-${i % 10 === 0 ? '0'.repeat(15) + '1' : hex(16)}-00`;
      const fast = unsampledFromTraceparent(header)!;
      const slow = propagation.extract(ROOT_CONTEXT, { traceparent: header });
      expect([unsampledSpanContext(fast), isTracingSuppressed(fast), trace.getSpan(fast)]).toEqual([
        unsampledSpanContext(slow),
        isTracingSuppressed(slow),
        trace.getSpan(slow),
      ]);
    }
    reads.length = 0;
    const sampled = headers({ traceparent: `00-${TRACE}-${SPAN}-01` });
    const followed = withIncomingSpan(
      { subject: 'wf.node.execute.v1', operation: 'process', kind: SpanKind.CONSUMER },
      { get: (k: string) => (reads.push(k), sampled.get(k)), set: sampled.set },
      () => seen(),
    );
    expect(followed.recording).toBe(true);
    expect(reads).toEqual(['traceparent', 'traceparent', 'tracestate', 'baggage']);
    // Flags other than 00 without the sampled bit are still unsampled, through the propagator.
    const flagged = withIncomingSpan(
      { subject: 's', operation: 'process', kind: SpanKind.CONSUMER },
      headers({ traceparent: `00-${TRACE}-${SPAN}-02` }),
      () => seen(),
    );
    expect(flagged).toMatchObject({ span: undefined, suppressed: true, ids: { trace_id: TRACE, span_id: SPAN } });
  });

  it('requestDecision: follows a traceparent, samples new traces at the root ratio, leaves probes and per-span samplers to the instrumentation', () => {
    const req = (traceparent?: string, url = '/v1/workflows/run') => ({ url, headers: traceparent ? { traceparent } : {} });
    const ratio = (r: number) => ({ kind: 'parentbased_traceidratio' as const, ratio: r });
    expect(requestDecision(ratio(0), req(`00-${TRACE}-${SPAN}-01`))).toBe('traced');
    expect(requestDecision(ratio(1), req(`00-${TRACE}-${SPAN}-00`))).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
    expect(requestDecision(ratio(1), req())).toBe('sampled-root');
    const fresh = requestDecision(ratio(0), req());
    expect(fresh).toMatchObject({ traceFlags: 0 });
    expect(isSpanContextValid(fresh as never)).toBe(true);
    // A malformed or all-zero traceparent is no parent: a new trace.
    expect(requestDecision(ratio(1), req(`00-${'0'.repeat(32)}-${SPAN}-00`))).toBe('sampled-root');
    expect(requestDecision(ratio(1), req('garbage'))).toBe('sampled-root');
    expect(requestDecision(ratio(0), req(undefined, '/health'))).toBe('traced');
    expect(requestDecision({ kind: 'parentbased_always_on', ratio: 1 }, req())).toBe('traced');
    expect(requestDecision({ kind: 'parentbased_always_off', ratio: 1 }, req())).toMatchObject({ traceFlags: 0 });
    expect(requestDecision({ kind: 'traceidratio', ratio: 0 }, req(`00-${TRACE}-${SPAN}-00`))).toBe('traced');
  });

  describe('the HTTP fast path on a real server', () => {
    let server: Server;
    let url: string;
    const handled: ReturnType<typeof seen>[] = [];
    const finished: ReturnType<typeof seen>[] = [];

    /** A server whose 'request' events go through the instrumentation's patch, wrapped by the fast path at `ratio`. */
    async function serve(ratio: number): Promise<void> {
      const instrumentation = withUnsampledFastPath(new HttpInstrumentation({ enabled: false }), {
        kind: 'parentbased_traceidratio',
        ratio,
      });
      const patch = (
        instrumentation as unknown as { _incomingRequestFunction(c: string, o: Server['emit']): Server['emit'] }
      )._incomingRequestFunction('http', Server.prototype.emit);
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        // The body is read through listeners: they run in the request's context too.
        req.on('data', () => undefined);
        req.on('end', () => {
          handled.push(seen());
          res.end('ok');
        });
        res.on('finish', () => finished.push(seen()));
      });
      server.emit = patch;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/workflows/run`;
    }

    afterEach(async () => {
      handled.length = 0;
      finished.length = 0;
      await new Promise((resolve) => server.close(resolve));
    });

    it('hands an unsampled request to the handler without a span, with its trace kept for the services it calls', async () => {
      await serve(0);
      await fetch(url, { method: 'POST', body: '{}' });
      await fetch(url, { method: 'POST', body: '{}', headers: { traceparent: `00-${TRACE}-${SPAN}-00` } });
      expect(handled).toHaveLength(2);
      for (const h of handled) {
        expect(h.span).toBeUndefined();
        expect(h.suppressed).toBe(true);
        expect(h.ids?.trace_id).toMatch(/^[0-9a-f]{32}$/);
      }
      expect(handled[1]!.ids).toEqual({ trace_id: TRACE, span_id: SPAN });
      // The response's listeners too (events nobody listens to are emitted without entering the context).
      expect(finished.map((f) => [f.suppressed, f.ids])).toEqual(handled.map((h) => [true, h.ids]));
      await flushTracing();
      expect(exporter.getFinishedSpans()).toEqual([]);
    });

    it('traces a request whose parent was sampled, and a new trace the fast path sampled, once each', async () => {
      await serve(1);
      await fetch(url, { method: 'POST', body: '{}', headers: { traceparent: `00-${TRACE}-${SPAN}-01` } });
      // Root ratio 1 at the fast path, 0 in the sampler: recorded only because the fast path decided it.
      await fetch(url, { method: 'POST', body: '{}' });
      expect(handled.map((h) => h.recording)).toEqual([true, true]);
      await flushTracing();
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.kind)).toEqual([SpanKind.SERVER, SpanKind.SERVER]);
      expect(spans[0]!.spanContext().traceId).toBe(TRACE);
      expect(spans[1]!.spanContext().traceId).not.toBe(TRACE);
      expect(spans[1]!.parentSpanContext).toBeUndefined();
    });
  });
});
