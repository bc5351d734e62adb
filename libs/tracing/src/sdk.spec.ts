import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { EventEmitter } from 'node:events';
import { withoutPoolMetrics } from './sdk';

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
