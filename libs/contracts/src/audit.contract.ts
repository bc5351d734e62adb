import { z } from 'zod';
import { SERVICE_NAMES } from './services.contract';

export const AUDIT_ACTOR_TYPES = ['account', 'api_key', 'end_user', 'system'] as const;

/** One audit event as it travels from any service to the compliance service's trail. */
export const AuditEventSchema = z.object({
  action: z.string().min(1).max(100),
  actor: z.object({ id: z.string().max(200).nullable(), type: z.enum(AUDIT_ACTOR_TYPES) }),
  correlationId: z.string().max(200).nullable(),
  details: z.record(z.string(), z.unknown()),
  id: z.string().uuid(),
  ip: z.string().max(100).nullable(),
  occurredAt: z.string().datetime(),
  outcome: z.enum(['success', 'failure']),
  resource: z.object({ id: z.string().max(200).nullable(), type: z.string().min(1).max(100) }),
  service: z.enum(SERVICE_NAMES),
  userAgent: z.string().max(1000).nullable(),
  workspaceId: z.string().max(200).nullable(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;
