import type { ServiceName, ServiceStatus } from '@weft/contracts';

export interface ServiceInstanceResponse {
  instance_id: string;
  version: string;
  uptime_seconds: number;
  ready: boolean;
  dependencies: Record<string, 'up' | 'down'>;
  warnings: string[];
}

/** One service in `/v1/system/status`: down when no instance answered in time. */
export interface ServiceStatusResponse {
  name: ServiceName;
  status: 'up' | 'degraded' | 'down';
  version: string | null;
  uptime_seconds: number | null;
  dependencies: Record<string, 'up' | 'down'>;
  /** Every instance's warnings (for example code nodes running with weak isolation), once each. */
  warnings: string[];
  instances: ServiceInstanceResponse[];
}

export interface SystemStatusResponse {
  status: 'ok' | 'degraded';
  checked_at: number;
  services: ServiceStatusResponse[];
}

export function toServiceStatusResponse(name: ServiceName, answers: ServiceStatus[]): ServiceStatusResponse {
  if (answers.length === 0) return { name, status: 'down', version: null, uptime_seconds: null, dependencies: {}, warnings: [], instances: [] };
  const instances = answers.map((a) => ({
    instance_id: a.instanceId,
    version: a.version,
    uptime_seconds: a.uptimeSeconds,
    ready: a.ready,
    dependencies: a.dependencies,
    warnings: a.warnings ?? [],
  }));
  // A dependency is reported down for the service when any instance sees it down.
  const dependencies: Record<string, 'up' | 'down'> = {};
  for (const a of answers) for (const [dep, state] of Object.entries(a.dependencies)) if (dependencies[dep] !== 'down') dependencies[dep] = state;
  const oldest = answers.reduce((a, b) => (a.uptimeSeconds >= b.uptimeSeconds ? a : b));
  return {
    name,
    status: answers.some((a) => a.ready) ? 'up' : 'degraded',
    version: oldest.version,
    uptime_seconds: oldest.uptimeSeconds,
    dependencies,
    warnings: [...new Set(answers.flatMap((a) => a.warnings ?? []))],
    instances,
  };
}
