import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTick } from 'node:timers/promises';
import { activeTraceContext, requestSlot, runWithRequestSlot, traceSlot } from './async-context';
import { SharedStorageContextManager } from './context-manager';

const KEY = createContextKey('test.key');

describe('SharedStorageContextManager: OpenTelemetry context and request context in one AsyncLocalStorage', () => {
  const manager = new SharedStorageContextManager();

  it('is the root context outside any frame, and holds what `with` entered through awaits and timers', async () => {
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const ctx = ROOT_CONTEXT.setValue(KEY, 'a');
    const seen = await manager.with(ctx, async () => {
      await nextTick();
      // Stored in the shared frame (not in a storage of the manager's own).
      expect(traceSlot()).toBe(ctx);
      // What libs/tracing and the orchestrator read instead of the API's `context.active()`.
      expect(activeTraceContext()).toBe(ctx);
      const afterAwait = manager.active();
      const inTimer = await new Promise((resolve) => setTimeout(() => resolve(manager.active()), 1));
      return { afterAwait, inTimer };
    });
    expect(seen).toEqual({ afterAwait: ctx, inTimer: ctx });
    expect(manager.active()).toBe(ROOT_CONTEXT);
    expect(activeTraceContext()).toBe(ROOT_CONTEXT);
  });

  it('keeps the request context when entering a trace context, and the trace context when entering a request context', async () => {
    const ctx = ROOT_CONTEXT.setValue(KEY, 'b');
    const request = { correlationId: 'c-1' };
    const inner = await runWithRequestSlot(request, () =>
      manager.with(ctx, async () => {
        await nextTick();
        const both = { request: requestSlot(), trace: manager.active() };
        const other = { correlationId: 'c-2' };
        const nested = await runWithRequestSlot(other, async () => {
          await nextTick();
          return { request: requestSlot(), trace: traceSlot() };
        });
        return { both, nested, after: { request: requestSlot(), trace: manager.active() } };
      }),
    );
    expect(inner.both).toEqual({ request, trace: ctx });
    expect(inner.nested).toEqual({ request: { correlationId: 'c-2' }, trace: ctx });
    expect(inner.after).toEqual({ request, trace: ctx });
    expect(requestSlot()).toBeUndefined();
  });

  it('passes `this` and arguments through `with`', () => {
    const self = { n: 2 };
    const result = manager.with(
      ROOT_CONTEXT.setValue(KEY, 'c'),
      function (this: typeof self, x: number) {
        return this.n * x;
      },
      self,
      21,
    );
    expect(result).toBe(42);
  });

  it('binds event emitters and functions to a context, whatever is active where they run', () => {
    const ctx = ROOT_CONTEXT.setValue(KEY, 'd');
    const emitter = manager.bind(ctx, new EventEmitter());
    const fn = manager.bind(ctx, () => manager.active().getValue(KEY));
    let heard: unknown;
    emitter.on('event', () => (heard = manager.active().getValue(KEY)));
    manager.with(ROOT_CONTEXT.setValue(KEY, 'other'), () => emitter.emit('event'));
    expect(heard).toBe('d');
    expect(manager.with(ROOT_CONTEXT.setValue(KEY, 'other'), fn)).toBe('d');
  });

  it('stays usable after `disable` (request contexts still live in the storage)', () => {
    manager.disable();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'e');
    expect(runWithRequestSlot({ correlationId: 'c-3' }, () => manager.with(ctx, () => [requestSlot(), manager.active()]))).toEqual([
      { correlationId: 'c-3' },
      ctx,
    ]);
  });
});
