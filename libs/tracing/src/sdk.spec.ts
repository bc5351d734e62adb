import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { SharedStorageContextManager } from './context-manager';
import { EventEmitter } from 'node:events';
import { withDirectUntracedQueries, withoutPoolMetrics } from './sdk';
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
