/** A member's role in a workspace, from most to least powerful (Dify's roles). */
export const WORKSPACE_ROLES = ['owner', 'admin', 'editor', 'normal'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

const RANK: Record<WorkspaceRole, number> = { owner: 3, admin: 2, editor: 1, normal: 0 };

/** Whether `role` is one of the known roles. */
export function isWorkspaceRole(role: unknown): role is WorkspaceRole {
  return typeof role === 'string' && (WORKSPACE_ROLES as readonly string[]).includes(role);
}

/** Whether `role` may do what `needed` may do. An unknown role may do nothing. */
export function roleAtLeast(role: string, needed: WorkspaceRole): boolean {
  return isWorkspaceRole(role) && RANK[role] >= RANK[needed];
}
