import { SERVICE_NAMES, type ServiceName, type ServiceStatus } from '@weft/contracts';
import { z } from 'zod';
import { epochSeconds } from '../docs/common.dto';

const DependencyStatesSchema = z.record(z.string(), z.enum(['up', 'down']));

export const ServiceInstanceResponseSchema = z.object({
  dependencies: DependencyStatesSchema,
  instance_id: z.string(),
  ready: z.boolean(),
  uptime_seconds: z.number(),
  version: z.string(),
  warnings: z.array(z.string()),
});
export type ServiceInstanceResponse = z.infer<typeof ServiceInstanceResponseSchema>;

/** One service in `/v1/system/status`: down when no instance answered in time. */
export const ServiceStatusResponseSchema = z.object({
  dependencies: DependencyStatesSchema,
  instances: z.array(ServiceInstanceResponseSchema),
  name: z.enum(SERVICE_NAMES),
  status: z.enum(['up', 'degraded', 'down']),
  uptime_seconds: z.number().nullable(),
  version: z.string().nullable(),
  /** Every instance's warnings (for example code nodes running with weak isolation), once each. */
  warnings: z.array(z.string()),
});
export type ServiceStatusResponse = z.infer<typeof ServiceStatusResponseSchema>;

/** `GET /v1/system/status`. */
export const SystemStatusResponseSchema = z.object({
  checked_at: epochSeconds,
  services: z.array(ServiceStatusResponseSchema),
  status: z.enum(['ok', 'degraded']),
});
export type SystemStatusResponse = z.infer<typeof SystemStatusResponseSchema>;

/** Where the console's System page links to (CONSOLE_GRAFANA_URL, CONSOLE_TRACE_URL_TEMPLATE); null when not configured. */
export const ConsoleLinksSchema = z.object({ grafana: z.string().nullable(), trace_url_template: z.string().nullable() });
export type ConsoleLinks = z.infer<typeof ConsoleLinksSchema>;

/** `GET /console/api/system/status`: `/v1/system/status` with the work-queue backlogs and the console's links. */
export const ConsoleSystemStatusSchema = SystemStatusResponseSchema.extend({
  links: ConsoleLinksSchema,
  queues: z.array(z.object({ consumer: z.string(), pending: z.number().int(), stream: z.string() })),
});
export type ConsoleSystemStatus = z.infer<typeof ConsoleSystemStatusSchema>;

export function toServiceStatusResponse(name: ServiceName, answers: ServiceStatus[]): ServiceStatusResponse {
  if (answers.length === 0)
    return { name, status: 'down', version: null, uptime_seconds: null, dependencies: {}, warnings: [], instances: [] };
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
  for (const a of answers)
    for (const [dep, state] of Object.entries(a.dependencies)) if (dependencies[dep] !== 'down') dependencies[dep] = state;
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
