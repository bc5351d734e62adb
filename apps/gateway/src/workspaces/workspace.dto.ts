import { MAX_RETENTION_DAYS, type WorkspaceRetention } from '@weft/contracts';
import { z } from 'zod';
import { WORKSPACE_ROLES } from '../accounts/workspace-role.util';

/** Roles a member can be given here; ownership is not handed out by invitation or role change. */
const GRANTABLE_ROLE = z.enum(WORKSPACE_ROLES.filter((r) => r !== 'owner') as ['admin', 'editor', 'normal']);

/** `POST /console/api/workspaces/current/members/invite-email` (Dify's shape). */
export const InviteMembersRequestSchema = z.object({
  emails: z.array(z.string().trim().toLowerCase().email().max(254)).min(1).max(50),
  role: GRANTABLE_ROLE,
  language: z.string().max(20).optional(),
});

/** `PUT /console/api/workspaces/current/members/{member_id}/update-role`. */
export const UpdateRoleRequestSchema = z.object({ role: GRANTABLE_ROLE });

/**
 * `POST /console/api/workspaces/current/members/{member_id}/owner-transfer`. Dify confirms the transfer
 * with a code mailed to the owner (`token`); Weft sends no mail and asks for the owner's password instead.
 */
export const OwnerTransferRequestSchema = z.object({ password: z.string().min(1).max(256) });

/** `POST /console/api/workspaces/switch`. */
export const SwitchWorkspaceRequestSchema = z.object({ tenant_id: z.string().uuid() });

/** `POST /console/api/activate`: an invited person creates an account and joins. */
export const ActivateRequestSchema = z.object({
  token: z.string().min(1).max(200),
  email: z.string().trim().toLowerCase().email().max(254).optional(),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(256),
});

/** `PUT /console/api/workspaces/current/retention`: days to keep runs, or null for the deployment's default (DATA_RETENTION_DAYS). */
export const RetentionRequestSchema = z.object({ retention_days: z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable() }).strict();

/** What the retention routes answer. */
export function toRetentionResponse(r: WorkspaceRetention): Record<string, unknown> {
  return { default_retention_days: r.defaultRetentionDays, legal_hold: r.legalHold, overridden: r.overridden, retention_days: r.retentionDays, workspace_id: r.workspaceId };
}
