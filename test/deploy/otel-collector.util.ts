import { join } from 'node:path';
import { K8S_DIR, parseYamlDocuments, readYaml } from './manifests.util';

/** The OpenTelemetry Collector's configuration, one file for Kubernetes (a generated ConfigMap) and Compose (mounted). */
export const COLLECTOR_CONFIG = join(K8S_DIR, 'base', 'otel-collector-config.yaml');

interface CollectorConfig {
  receivers: Record<string, { protocols?: { http?: { endpoint?: string } } }>;
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string; headers?: Record<string, string> }>;
  extensions?: Record<string, { endpoint?: string }>;
  service: { extensions?: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
}

/**
 * The Collector's configuration as the Collector reads it with `env`: `${env:NAME:-default}` replaced by
 * the variable, or its default when the variable is unset or empty (the Collector's own rule).
 */
export function collectorConfig(env: Record<string, string | undefined>, text?: string): CollectorConfig {
  const raw = (text ?? (readYaml(COLLECTOR_CONFIG)[0] as unknown)) as unknown;
  const source = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const expanded = source.replace(/\$\{env:([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
    const value = env[name];
    return value !== undefined && value !== '' ? value : (fallback ?? '');
  });
  return (typeof raw === 'string' ? parseYamlDocuments(expanded, 'collector config')[0] : JSON.parse(expanded)) as CollectorConfig;
}

/**
 * What a traces pipeline must be: OTLP over HTTP in on 4318, batched (after the memory limiter), and out
 * through the one exporter `env` chooses, which is defined. Returns that exporter's name and settings.
 */
export function checkTracesPipeline(config: CollectorConfig): {
  exporter: string;
  settings: { endpoint?: string; headers?: Record<string, string> };
} {
  const traces = config.service.pipelines['traces'];
  if (!traces) throw new Error('no traces pipeline');
  for (const receiver of traces.receivers) if (!config.receivers[receiver]) throw new Error(`undefined receiver ${receiver}`);
  for (const processor of traces.processors) if (!(processor in config.processors)) throw new Error(`undefined processor ${processor}`);
  if (traces.receivers.join() !== 'otlp' || config.receivers['otlp']!.protocols?.http?.endpoint !== '0.0.0.0:4318')
    throw new Error('the traces pipeline must receive OTLP over HTTP on 4318');
  if (traces.processors.join() !== 'memory_limiter,batch') throw new Error(`processors ${traces.processors.join()}`);
  if (traces.exporters.length !== 1) throw new Error(`exporters ${traces.exporters.join()}`);
  const exporter = traces.exporters[0]!;
  const settings = config.exporters[exporter];
  if (!settings) throw new Error(`undefined exporter ${exporter}`);
  for (const extension of config.service.extensions ?? [])
    if (!config.extensions?.[extension]) throw new Error(`undefined extension ${extension}`);
  return { exporter, settings };
}
