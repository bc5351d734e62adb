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
  /** How many messages wait in each JetStream work queue this instance takes from (its durable consumers' `num_pending`). */
  queues: z
    .array(z.object({ consumer: z.string().max(200), pending: z.number().int().min(0), stream: z.string().max(200) }))
    .max(100)
    .optional(),
  /** Conditions an operator should know about that do not make the instance unready. */
  warnings: z.array(z.string().max(2000)).max(50).optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const SystemStatusRequestSchema = z.object({}).strict();
