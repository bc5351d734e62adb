import type { ConfigOf, tracingConfig } from '@weft/config';

export type TracingConfig = ConfigOf<typeof tracingConfig>;

/** What the SDK is started with, decided from the `OTEL_*` settings; `exporter: 'none'` means tracing stays off. */
export interface TracingPlan {
  exporter: 'otlp' | 'console' | 'none';
  /** Why tracing is off, for the start-up line. */
  offReason?: string;
  /** Where spans are posted (OTLP only). */
  url?: string;
  headers: Record<string, string>;
  protocol: 'http/protobuf' | 'http/json';
  resource: Record<string, string>;
  sampler: { kind: TracingConfig['sampler']; ratio: number };
  /** The batch span processor's settings (the standard `OTEL_BSP_*` variables, which the SDK no longer reads itself). */
  batch: { exportTimeoutMillis: number; maxExportBatchSize: number; maxQueueSize: number; scheduledDelayMillis: number };
}

/** Parses the `key=value,key2=value2` lists of OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES (values percent-decoded). */
export function parseKeyValueList(text: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of (text ?? '').split(',')) {
    const eq = entry.indexOf('=');
    if (eq < 1) continue;
    const key = entry.slice(0, eq).trim();
    const raw = entry.slice(eq + 1).trim();
    if (!key) continue;
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // A stray "%" is taken literally, as other SDKs do.
    }
    result[key] = value;
  }
  return result;
}

/** The traces URL: the signal-specific endpoint as given, or the base endpoint with `/v1/traces` appended. */
export function tracesUrl(config: Pick<TracingConfig, 'endpoint' | 'tracesEndpoint'>): string | undefined {
  if (config.tracesEndpoint) return config.tracesEndpoint;
  if (!config.endpoint) return undefined;
  return `${config.endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Decides whether and how to trace. Off when the SDK is disabled, the exporter is `none`, or OTLP is asked
 * for without an endpoint (the default: nothing is set, nothing is traced).
 */
export function planTracing(service: string, config: TracingConfig, identity: { version: string; environment: string }): TracingPlan {
  const url = tracesUrl(config);
  const protocol = config.protocol as TracingPlan['protocol'];
  const resource: Record<string, string> = {
    'service.name': config.serviceName ?? `weft-${service}`,
    'service.namespace': 'weft',
    'service.version': identity.version,
    'deployment.environment': identity.environment,
    'deployment.environment.name': identity.environment,
    ...parseKeyValueList(config.resourceAttributes),
  };
  // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES, as the specification says.
  if (config.serviceName) resource['service.name'] = config.serviceName;
  const base = {
    headers: parseKeyValueList(config.headers),
    protocol,
    resource,
    sampler: { kind: config.sampler, ratio: config.samplerArg },
    batch: {
      exportTimeoutMillis: config.bspExportTimeoutMs,
      maxExportBatchSize: Math.min(config.bspMaxExportBatchSize, config.bspMaxQueueSize),
      maxQueueSize: config.bspMaxQueueSize,
      scheduledDelayMillis: config.bspScheduleDelayMs,
    },
  };
  if (config.sdkDisabled) return { ...base, exporter: 'none', offReason: 'OTEL_SDK_DISABLED=true' };
  if (config.exporter === 'none') return { ...base, exporter: 'none', offReason: 'OTEL_TRACES_EXPORTER=none' };
  if (config.exporter === 'console') return { ...base, exporter: 'console' };
  if (!url) return { ...base, exporter: 'none', offReason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' };
  return { ...base, exporter: 'otlp', url };
}
