import { AUDIT_ACTOR_TYPES, AuditChainBrokenSchema, AuditChainVerifiedSchema, type ListAuditLogsRequest } from '@weft/contracts';
import { z } from 'zod';

/** A time bound: ISO 8601, or Unix seconds as Dify's console takes them. */
const TimeBound = z
  .string()
  .trim()
  .refine(
    (v) => (/^\d{1,12}$/.test(v) ? true : !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}/.test(v)),
    'must be ISO 8601 or Unix seconds',
  )
  .transform((v) => new Date(/^\d{1,12}$/.test(v) ? Number(v) * 1000 : Date.parse(v)).toISOString());

/** `GET /console/api/audit/logs` query. */
export const AuditLogsQuerySchema = z
  .object({
    action: z.string().min(1).max(100).optional(),
    actor_id: z.string().min(1).max(200).optional(),
    actor_type: z.enum(AUDIT_ACTOR_TYPES).optional(),
    cursor: z.string().min(1).max(200).optional(),
    end: TimeBound.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    resource_id: z.string().min(1).max(200).optional(),
    resource_type: z.string().min(1).max(100).optional(),
    start: TimeBound.optional(),
  })
  .strict();
export type AuditLogsQuery = z.infer<typeof AuditLogsQuerySchema>;

/** The NATS request for one workspace's page of records. */
export function toListRequest(workspaceId: string, q: AuditLogsQuery): ListAuditLogsRequest {
  return {
    action: q.action ?? null,
    actorId: q.actor_id ?? null,
    actorType: q.actor_type ?? null,
    cursor: q.cursor ?? null,
    end: q.end ?? null,
    limit: q.limit,
    resourceId: q.resource_id ?? null,
    resourceType: q.resource_type ?? null,
    start: q.start ?? null,
    workspaceId,
  };
}

const platformScope = { scope: z.literal('platform') };

/**
 * `GET /v1/system/audit/verify` (operators): the whole platform's chain, every workspace's records and
 * the system's, from the retention checkpoint to the sealed head.
 */
export const PlatformAuditVerificationSchema = z.discriminatedUnion('result', [
  AuditChainVerifiedSchema.extend(platformScope),
  AuditChainBrokenSchema.extend(platformScope),
]);
export type PlatformAuditVerification = z.infer<typeof PlatformAuditVerificationSchema>;
