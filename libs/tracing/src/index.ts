export * from './settings';
export * from './spans';
export {
  flushTracing,
  isTracingOn,
  sharedStorageContextManager,
  shutdownTracing,
  startTracing,
  type StartTracingOptions,
} from './start-tracing';
export * from './redaction';
export { contextWithSpan, unsampledSpanContext } from './unsampled';
export { activeTraceContext, requestSlot, runWithRequestSlot } from './async-context';
