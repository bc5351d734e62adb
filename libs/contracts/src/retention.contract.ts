import { z } from 'zod';

const uuid = z.string().uuid();

/** The longest retention period a workspace may set: a century, in days. */
export const MAX_RETENTION_DAYS = 36_500;

/** Names the workspace whose retention settings are read. */
export const WorkspaceRetentionRequestSchema = z.object({ workspaceId: uuid });
export type WorkspaceRetentionRequest = z.infer<typeof WorkspaceRetentionRequestSchema>;

/**
 * Sets a workspace's own retention period for its runs and node runs, in days; null returns it to the
 * deployment's default (DATA_RETENTION_DAYS). `accountId` is who asked, for the audit trail.
 */
export const SetWorkspaceRetentionRequestSchema = z.object({
  accountId: z.string().max(200).nullable().default(null),
  retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable(),
  workspaceId: uuid,
});
export type SetWorkspaceRetentionRequest = z.infer<typeof SetWorkspaceRetentionRequestSchema>;

/**
 * Places (held: true) or releases (held: false) a legal hold on a workspace: while held, retention deletes
 * none of its runs. Until the compliance service owns legal holds, this is how the orchestrator learns of them.
 */
export const SetLegalHoldRequestSchema = z.object({
  accountId: z.string().max(200).nullable().default(null),
  held: z.boolean(),
  reason: z.string().max(1000).nullable().default(null),
  workspaceId: uuid,
});
export type SetLegalHoldRequest = z.infer<typeof SetLegalHoldRequestSchema>;

/** A workspace's effective retention: its own period or the default, and whether a legal hold stops deletion. */
export const WorkspaceRetentionSchema = z.object({
  defaultRetentionDays: z.number().int(),
  legalHold: z.boolean(),
  overridden: z.boolean(),
  retentionDays: z.number().int(),
  workspaceId: uuid,
});
export type WorkspaceRetention = z.infer<typeof WorkspaceRetentionSchema>;
