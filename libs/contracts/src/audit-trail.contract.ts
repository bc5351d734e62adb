import { z } from 'zod';
import { AUDIT_ACTOR_TYPES } from './audit.contract';

/** `audit.verify.v1`: walk the whole hash chain (from the retention checkpoint, if any) and check every link; for operators. */
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

/** The first record (or anchor) where a chain breaks; `id` is null for a missing record or an anchor. */
export const AuditChainBreakSchema = z.object({
  id: z.string().nullable(),
  reason: z.enum(AUDIT_BREAK_REASONS),
  detail: z.string(),
  seq: z.number().int(),
});

/** A chain that checked out: how many records, where the kept part begins (after pruning), and its head. */
export const AuditChainVerifiedSchema = z.object({
  checked: z.number().int().nonnegative(),
  checkpoint: z.object({ previous_hash: z.string(), seq: z.number().int() }).nullable(),
  head: z.object({ hash: z.string(), seq: z.number().int() }),
  result: z.literal('ok'),
});

/** A chain that did not: how many records checked out before the first break, and that break. */
export const AuditChainBrokenSchema = z.object({
  checked: z.number().int().nonnegative(),
  first_broken: AuditChainBreakSchema,
  result: z.literal('broken'),
});

export const VerifyAuditTrailResponseSchema = z.discriminatedUnion('result', [AuditChainVerifiedSchema, AuditChainBrokenSchema]);
export type VerifyAuditTrailResponse = z.infer<typeof VerifyAuditTrailResponseSchema>;

/**
 * `audit.verify.workspace.v1`: walk one workspace's own chain (its records, each linked to the workspace's
 * previous one, and the workspace's sealed head). What it answers is the workspace's alone: its records'
 * count, numbers and hashes in its own chain, never the platform's (`audit.verify.v1` is for operators).
 */
export const VerifyWorkspaceAuditTrailRequestSchema = z.object({ workspaceId: z.string().min(1).max(200) }).strict();
export type VerifyWorkspaceAuditTrailRequest = z.infer<typeof VerifyWorkspaceAuditTrailRequestSchema>;

const workspaceScope = { scope: z.literal('workspace') };
export const VerifyWorkspaceAuditTrailResponseSchema = z.discriminatedUnion('result', [
  AuditChainVerifiedSchema.extend(workspaceScope),
  AuditChainBrokenSchema.extend(workspaceScope),
]);
export type VerifyWorkspaceAuditTrailResponse = z.infer<typeof VerifyWorkspaceAuditTrailResponseSchema>;

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
