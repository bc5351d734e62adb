import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { activeTraceContext, runWithTraceSlot } from './async-context';

/**
 * OpenTelemetry's context manager over the process's one AsyncLocalStorage (async-context.ts): `context.with`
 * changes the frame's OpenTelemetry context and keeps its request context. Binding functions and event
 * emitters is the SDK's own (`AsyncLocalStorageContextManager`, whose own storage is never used and so never
 * enabled). Loaded with the SDK only (sdk.ts), so tracing off loads none of it.
 */
export class SharedStorageContextManager extends AsyncLocalStorageContextManager {
  override active(): Context {
    return activeTraceContext();
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const cb = thisArg == null ? fn : (fn.bind(thisArg) as F);
    return runWithTraceSlot(context, cb, ...args);
  }

  /** The storage outlives the manager (request contexts still need it): nothing to turn off. */
  override disable(): this {
    return this;
  }
}
