import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { SharedStorageContextManager } from './context-manager';
import { EventEmitter } from 'node:events';
import { batchProcessorFor, withDirectUntracedQueries, withoutPoolMetrics } from './sdk';
import { loadTracingSettings } from '@weft/config';
import { planTracing } from './settings';
import { unsampledContext } from './unsampled';

/** What the pg instrumentation reads of a pool when it adds its metric listeners. */
function pool(): EventEmitter & { options: Record<string, unknown>; totalCount: number; idleCount: number; waitingCount: number } {
  return Object.assign(new EventEmitter(), {
    options: { host: 'db', port: 5432, database: 'weft', max: 10 },
    totalCount: 1,
    idleCount: 0,
    waitingCount: 0,
  });
}

type WithListeners = { _setPoolConnectEventListeners(pool: unknown): void };

describe('withoutPoolMetrics', () => {
  it("adds no listeners to a pool's checkouts and releases, where the instrumentation on its own adds four", () => {
    const plain = pool();
    (new PgInstrumentation({ enabled: false }) as unknown as WithListeners)._setPoolConnectEventListeners(plain);
    expect(['connect', 'acquire', 'release', 'remove'].map((e) => plain.listenerCount(e))).toEqual([1, 1, 1, 1]);

    const quiet = pool();
    (withoutPoolMetrics(new PgInstrumentation({ enabled: false })) as unknown as WithListeners)._setPoolConnectEventListeners(quiet);
    expect(quiet.eventNames()).toEqual([]);
  });

  it('refuses an instrumentation whose method has moved, instead of silently keeping the listeners', () => {
    const moved = new PgInstrumentation({ enabled: false }) as unknown as Record<string, unknown>;
    moved['_setPoolConnectEventListeners'] = undefined;
    expect(() => withoutPoolMetrics(moved as unknown as PgInstrumentation)).toThrow(/_setPoolConnectEventListeners/);
  });
});

describe('withDirectUntracedQueries', () => {
  type Query = (this: unknown, ...args: unknown[]) => unknown;
  type Patches = { _getClientQueryPatch(): (original: Query) => Query; _getPoolConnectPatch(): (original: Query) => Query };
  /** What the instrumentation reads of a pg Client to describe a query. */
  const client = { database: 'weft', connectionParameters: { database: 'weft', host: 'db', port: 5432, user: 'weft' } };
  let exporter: InMemorySpanExporter;
  let provider: NodeTracerProvider;

  beforeEach(() => {
    // A provider's shutdown stops its exporter: a new one per test.
    exporter = new InMemorySpanExporter();
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register({ contextManager: new SharedStorageContextManager() });
  });
  afterEach(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  function patchedQuery(): { query: Query; calls: { self: unknown; args: unknown[] }[]; configReads: jest.SpyInstance } {
    const instrumentation = withDirectUntracedQueries(new PgInstrumentation({ enabled: false, requireParentSpan: true }));
    // The instrumentation's own path reads its config on every query (to decide whether to skip it).
    const configReads = jest.spyOn(instrumentation, 'getConfig');
    instrumentation.setTracerProvider(trace.getTracerProvider());
    const calls: { self: unknown; args: unknown[] }[] = [];
    const original: Query = function (this: unknown, ...args: unknown[]) {
      calls.push({ self: this, args });
      return Promise.resolve({ rows: [] });
    };
    return { query: (instrumentation as unknown as Patches)._getClientQueryPatch()(original), calls, configReads };
  }

  it('sends a query outside any span straight to pg, with its this and arguments, and records no span', async () => {
    const { query, calls, configReads } = patchedQuery();
    await query.call(client, 'SELECT $1', [1]);
    // An unsampled trace's context holds no span either.
    await context.with(unsampledContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 }), () =>
      query.call(client, 'SELECT 2'),
    );
    expect(calls).toEqual([
      { self: client, args: ['SELECT $1', [1]] },
      { self: client, args: ['SELECT 2'] },
    ]);
    expect(exporter.getFinishedSpans()).toEqual([]);
    // Without passing through the instrumentation's wrapper at all.
    expect(configReads).not.toHaveBeenCalled();
  });

  it("gives a query inside a recording span the instrumentation's own span", async () => {
    const { query, calls, configReads } = patchedQuery();
    const parent = trace.getTracer('test').startSpan('run');
    await context.with(trace.setSpan(context.active(), parent), () => query.call(client, 'SELECT 1'));
    parent.end();
    expect(calls).toHaveLength(1);
    expect(configReads).toHaveBeenCalled();
    const span = exporter.getFinishedSpans().find((s) => s.name.startsWith('pg.query'));
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span?.attributes['db.namespace']).toBe('weft');
  });

  it('refuses an instrumentation whose patches have moved', () => {
    const moved = new PgInstrumentation({ enabled: false }) as unknown as Record<string, unknown>;
    moved['_getPoolConnectPatch'] = undefined;
    expect(() => withDirectUntracedQueries(moved as unknown as PgInstrumentation)).toThrow(/_getPoolConnectPatch/);
  });
});

describe('batchProcessorFor: the OTEL_BSP_* settings reach the batch span processor', () => {
  const planFrom = (env: Record<string, string>) =>
    planTracing('gateway', loadTracingSettings('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', ...env }), {
      environment: 'test',
      version: '1',
    });

  afterEach(() => jest.useRealTimers());

  /** Ends `count` spans through a processor built from `env`; returns the batch sizes exported after `ms` of (fake) time. */
  async function exportedAfter(env: Record<string, string>, count: number, ms: number): Promise<number[]> {
    jest.useFakeTimers();
    const exporter = new InMemorySpanExporter();
    const sizes: number[] = [];
    const exportBatch = exporter.export.bind(exporter);
    exporter.export = (spans, done) => {
      sizes.push(spans.length);
      exportBatch(spans, done);
    };
    const provider = new NodeTracerProvider({ spanProcessors: [batchProcessorFor(planFrom(env), exporter)] });
    const tracer = provider.getTracer('test');
    for (let i = 0; i < count; i++) tracer.startSpan(`s${i}`).end();
    await jest.advanceTimersByTimeAsync(ms);
    return sizes;
  }

  it('exports after OTEL_BSP_SCHEDULE_DELAY, not the default five seconds', async () => {
    expect(await exportedAfter({}, 3, 1000)).toEqual([]);
    expect(await exportedAfter({ OTEL_BSP_SCHEDULE_DELAY: '200' }, 3, 1000)).toEqual([3]);
  });

  it('sends at most OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans per export and holds at most OTEL_BSP_MAX_QUEUE_SIZE', async () => {
    const sizes = await exportedAfter(
      { OTEL_BSP_SCHEDULE_DELAY: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4', OTEL_BSP_MAX_QUEUE_SIZE: '10' },
      25,
      1000,
    );
    expect(Math.max(...sizes)).toBe(4);
    // Ended all at once, 25 spans overflow a queue of 10: those beyond it are dropped (all 25 fit the default queue).
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(25);
    expect(
      (await exportedAfter({ OTEL_BSP_SCHEDULE_DELAY: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4' }, 25, 1000)).reduce((a, b) => a + b, 0),
    ).toBe(25);
  });

  it('caps the batch at the queue size, as the specification asks', () => {
    expect(planFrom({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '5000', OTEL_BSP_MAX_QUEUE_SIZE: '100' }).batch).toMatchObject({
      maxExportBatchSize: 100,
      maxQueueSize: 100,
    });
    expect(planFrom({}).batch).toEqual({
      exportTimeoutMillis: 30000,
      maxExportBatchSize: 512,
      maxQueueSize: 2048,
      scheduledDelayMillis: 5000,
    });
  });
});
