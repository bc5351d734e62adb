export * from './settings';
export * from './spans';
export { flushTracing, isTracingOn, shutdownTracing, startTracing, type StartTracingOptions } from './start-tracing';
export * from './redaction';
export { contextWithSpan, unsampledSpanContext } from './unsampled';
