import { MAX_RETENTION_DAYS, type WorkspaceRetention } from '@weft/contracts';
import { z } from 'zod';
import { TokenResponseSchema } from '../accounts/account.dto';
import { WORKSPACE_ROLES, type WorkspaceRole } from '../accounts/workspace-role.util';
import { epochSeconds } from '../docs/common.dto';
import type { MemberRow } from './workspace.repository';

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

/** `POST /console/api/workspaces/invitations/accept`: the signed-in account accepts an invitation sent to its address. */
export const AcceptInvitationRequestSchema = z.object({ token: z.string().min(1).max(200) });

/** The workspace an accepted invitation joined, with the account's role there (switch to it with `POST …/workspaces/switch`). */
export const AcceptedInvitationSchema = z.object({
  result: z.literal('success'),
  workspace: z.object({ id: z.string().uuid(), name: z.string(), role: z.enum(WORKSPACE_ROLES) }),
});
export type AcceptedInvitation = z.infer<typeof AcceptedInvitationSchema>;

/** `PUT /console/api/workspaces/current/retention`: days to keep runs, or null for the deployment's default (DATA_RETENTION_DAYS). */
export const RetentionRequestSchema = z.object({ retention_days: z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable() }).strict();

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** `GET /console/api/workspaces`: every workspace the caller belongs to, with its role there. */
export const WorkspaceListSchema = z.object({
  workspaces: z.array(
    z.object({ created_at: epochSeconds, current: z.boolean(), id: z.string().uuid(), name: z.string(), role: z.string() }),
  ),
});
export type WorkspaceList = z.infer<typeof WorkspaceListSchema>;

/** `GET /console/api/workspaces/current`. */
export const CurrentWorkspaceSchema = z.object({
  created_at: epochSeconds,
  id: z.string().uuid(),
  name: z.string(),
  role: z.enum(WORKSPACE_ROLES),
});
export type CurrentWorkspace = z.infer<typeof CurrentWorkspaceSchema>;

/** `POST /console/api/workspaces/switch`: a new access token for the same session, now in the workspace switched to. */
export const SwitchWorkspaceResponseSchema = TokenResponseSchema.pick({ access_token: true, expires_in: true }).extend({
  new_tenant: z.object({ id: z.string().uuid(), name: z.string() }),
  result: z.literal('success'),
});
export type SwitchWorkspaceResponse = z.infer<typeof SwitchWorkspaceResponseSchema>;

/** A member, or a pending invitee (`status: pending`, empty name, never logged in). */
export const MemberResponseSchema = z.object({
  created_at: epochSeconds,
  email: z.string(),
  id: z.string().uuid(),
  last_login_at: epochSeconds.nullable(),
  name: z.string(),
  role: z.string(),
  status: z.enum(['active', 'pending']),
});
export type MemberResponse = z.infer<typeof MemberResponseSchema>;

/** `GET /console/api/workspaces/current/members` (Dify's shape). */
export const MembersResponseSchema = z.object({ accounts: z.array(MemberResponseSchema), result: z.literal('success') });

/**
 * One line of an invitation's answer (Dify's shape), the same for an address with an account and one without.
 * `url` is the invitation link's path, given only when the instance sends no mail (with mail, only the address
 * gets it, so that an admin cannot use it to probe or claim addresses that are not theirs).
 */
export const InvitationResultSchema = z.object({
  email: z.string(),
  message: z.string().optional(),
  status: z.enum(['success', 'failed']),
  url: z.string().optional(),
});
export type InvitationResult = z.infer<typeof InvitationResultSchema>;

/** `POST /console/api/workspaces/current/members/invite-email`. */
export const InviteMembersResponseSchema = z.object({ invitation_results: z.array(InvitationResultSchema), result: z.literal('success') });

/** `GET /console/api/activate/check`: whether the invitation link still works, and for which workspace and email. */
export const InvitationCheckSchema = z.object({
  data: z.object({ email: z.string(), workspace_id: z.string().uuid(), workspace_name: z.string() }).nullable(),
  is_valid: z.boolean(),
});
export type InvitationCheck = z.infer<typeof InvitationCheckSchema>;

/** What the retention routes answer. */
export const RetentionResponseSchema = z.object({
  default_retention_days: z.number().int(),
  legal_hold: z.boolean(),
  overridden: z.boolean(),
  retention_days: z.number().int(),
  workspace_id: z.string().uuid(),
});
export type RetentionResponse = z.infer<typeof RetentionResponseSchema>;

export function toRetentionResponse(r: WorkspaceRetention): RetentionResponse {
  return {
    default_retention_days: r.defaultRetentionDays,
    legal_hold: r.legalHold,
    overridden: r.overridden,
    retention_days: r.retentionDays,
    workspace_id: r.workspaceId,
  };
}

export function toWorkspaceList(
  rows: { id: string; name: string; role: string; created_at: Date }[],
  currentWorkspaceId: string,
): WorkspaceList {
  return {
    workspaces: rows.map((w) => ({
      id: w.id,
      name: w.name,
      role: w.role,
      created_at: seconds(w.created_at),
      current: w.id === currentWorkspaceId,
    })),
  };
}

export function toCurrentWorkspace(workspace: { id: string; name: string; created_at: Date }, role: WorkspaceRole): CurrentWorkspace {
  return { id: workspace.id, name: workspace.name, role, created_at: seconds(workspace.created_at) };
}

export function toMemberResponse(m: MemberRow): MemberResponse {
  return { ...m, created_at: seconds(m.created_at), last_login_at: m.last_login_at ? seconds(m.last_login_at) : null };
}
