import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/**
 * What follows one unit of work through every await: the request context (`@weft/logging`'s correlation id,
 * workspace, job grant) and, when tracing is on, OpenTelemetry's context. Both live in one AsyncLocalStorage:
 * each enabled AsyncLocalStorage copies its store onto every promise and async resource the process creates,
 * so a second one (OpenTelemetry's own context manager) cost every run's thousands of promises a second copy
 * (docs/performance.md, Tracing at 10%). OpenTelemetry reaches its part through `SharedStorageContextManager`
 * (context-manager.ts), registered by the SDK.
 */
interface Frame {
  readonly request: unknown;
  readonly trace: Context | undefined;
}

const storage = new AsyncLocalStorage<Frame>();

/** Runs `fn` with `request` as the request context; the OpenTelemetry context stays what it is. */
export function runWithRequestSlot<T>(request: unknown, fn: () => T): T {
  return storage.run({ request, trace: storage.getStore()?.trace }, fn);
}

/** The request context of the current frame, if any. */
export function requestSlot(): unknown {
  return storage.getStore()?.request;
}

/** Runs `fn(...args)` with `trace` as the OpenTelemetry context; the request context stays what it is. */
export function runWithTraceSlot<A extends unknown[], R>(trace: Context, fn: (...args: A) => R, ...args: A): R {
  return storage.run({ request: storage.getStore()?.request, trace }, fn, ...args);
}

/** The OpenTelemetry context of the current frame, if one was entered. */
export function traceSlot(): Context | undefined {
  return storage.getStore()?.trace;
}

/**
 * The active OpenTelemetry context: what `context.active()` answers while the shared manager is registered
 * (tracing on, or spans recorded in a test), read from the frame without the API's global lookups and version
 * check on every call; the root context outside any (and always, with tracing off: nothing enters one).
 */
export function activeTraceContext(): Context {
  return storage.getStore()?.trace ?? ROOT_CONTEXT;
}
