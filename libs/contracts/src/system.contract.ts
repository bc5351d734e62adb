import { z } from 'zod';
import { SERVICE_NAMES } from './services.contract';

export const DependencyStatusSchema = z.enum(['up', 'down']);

/** What one service instance says about itself when asked for system status. */
export const ServiceStatusSchema = z.object({
  dependencies: z.record(z.string(), DependencyStatusSchema),
  instanceId: z.string(),
  ready: z.boolean(),
  service: z.enum(SERVICE_NAMES),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  version: z.string(),
  /** Conditions an operator should know about that do not make the instance unready. */
  warnings: z.array(z.string().max(2000)).max(50).optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const SystemStatusRequestSchema = z.object({}).strict();
