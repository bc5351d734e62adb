import { z } from 'zod';
import { AUDIT_ACTOR_TYPES } from './audit.contract';

/** `audit.verify.v1`: walk the whole hash chain (from the retention checkpoint, if any) and check every link. */
export const VerifyAuditTrailRequestSchema = z.object({}).strict();

/** Why a record breaks the chain. */
export const AUDIT_BREAK_REASONS = [
  'hash_mismatch',
  'previous_hash_mismatch',
  'sequence_gap',
  'checkpoint_mismatch',
  'record_after_head',
  'head_mismatch',
  // The head or the retention checkpoint carries no seal, a wrong one (the chain was rewritten in the
  // database), or one under a key the service no longer has.
  'seal_missing',
  'seal_mismatch',
  'seal_key_unknown',
] as const;
export type AuditBreakReason = (typeof AUDIT_BREAK_REASONS)[number];

export const VerifyAuditTrailResponseSchema = z.discriminatedUnion('result', [
  z.object({
    checked: z.number().int().nonnegative(),
    checkpoint: z.object({ previous_hash: z.string(), seq: z.number().int() }).nullable(),
    head: z.object({ hash: z.string(), seq: z.number().int() }),
    result: z.literal('ok'),
  }),
  z.object({
    checked: z.number().int().nonnegative(),
    first_broken: z.object({ id: z.string().nullable(), reason: z.enum(AUDIT_BREAK_REASONS), detail: z.string(), seq: z.number().int() }),
    result: z.literal('broken'),
  }),
]);
export type VerifyAuditTrailResponse = z.infer<typeof VerifyAuditTrailResponseSchema>;

/** `audit.logs.v1`: one workspace's audit records, newest first, with filters and an opaque cursor. */
export const ListAuditLogsRequestSchema = z.object({
  action: z.string().max(100).nullable(),
  actorId: z.string().max(200).nullable(),
  actorType: z.enum(AUDIT_ACTOR_TYPES).nullable(),
  cursor: z.string().max(200).nullable(),
  end: z.string().datetime().nullable(),
  limit: z.number().int().min(1).max(100),
  resourceId: z.string().max(200).nullable(),
  resourceType: z.string().max(100).nullable(),
  start: z.string().datetime().nullable(),
  workspaceId: z.string().min(1).max(200),
});
export type ListAuditLogsRequest = z.infer<typeof ListAuditLogsRequestSchema>;

/** One stored audit record as the console shows it (Dify-style snake_case). */
export const AuditRecordSchema = z.object({
  action: z.string(),
  actor: z.object({ id: z.string().nullable(), type: z.string() }),
  correlation_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
  id: z.string(),
  ip: z.string().nullable(),
  occurred_at: z.string(),
  outcome: z.string(),
  recorded_at: z.string(),
  resource: z.object({ id: z.string().nullable(), type: z.string() }),
  seq: z.number().int(),
  service: z.string(),
  user_agent: z.string().nullable(),
  workspace_id: z.string().nullable(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

export const ListAuditLogsResponseSchema = z.object({
  data: z.array(AuditRecordSchema),
  has_more: z.boolean(),
  limit: z.number().int(),
  next_cursor: z.string().nullable(),
});
export type ListAuditLogsResponse = z.infer<typeof ListAuditLogsResponseSchema>;
