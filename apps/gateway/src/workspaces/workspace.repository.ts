import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import { type WorkspaceRole, isWorkspaceRole } from '../accounts/workspace-role.util';

/** A member (or pending invitee) as `GET …/members` lists it. */
export interface MemberRow {
  id: string;
  name: string;
  email: string;
  role: WorkspaceRole;
  status: 'active' | 'pending';
  created_at: Date;
  last_login_at: Date | null;
}

/** A pending invitation found by its token. */
export interface InvitationRow {
  id: string;
  workspaceId: string;
  workspaceName: string;
  email: string;
  role: WorkspaceRole;
  invitedBy: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Workspaces, their members and invitations. Every query names the workspace. */
@Injectable()
export class WorkspaceRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The workspaces an account belongs to, with its role in each. */
  async listFor(accountId: string): Promise<{ id: string; name: string; role: string; created_at: Date }[]> {
    return this.db.rows(
      `SELECT w.id, w.name, m.role, w.created_at FROM gateway.workspace_members m JOIN gateway.workspaces w ON w.id = m.workspace_id
       WHERE m.account_id = $1 ORDER BY m.created_at`,
      [accountId],
    );
  }

  async get(workspaceId: string): Promise<{ id: string; name: string; created_at: Date } | null> {
    return (
      (
        await this.db.rows<{ id: string; name: string; created_at: Date }>(
          `SELECT id, name, created_at FROM gateway.workspaces WHERE id = $1`,
          [workspaceId],
        )
      )[0] ?? null
    );
  }

  /** Members, then pending (unexpired, unaccepted) invitations. */
  async members(workspaceId: string): Promise<MemberRow[]> {
    const active = await this.db.rows<Omit<MemberRow, 'status'>>(
      `SELECT a.id, a.name, a.email, m.role, m.created_at, a.last_login_at FROM gateway.workspace_members m JOIN gateway.accounts a ON a.id = m.account_id
       WHERE m.workspace_id = $1 ORDER BY m.created_at`,
      [workspaceId],
    );
    const pending = await this.db.rows<{ id: string; email: string; role: string; created_at: Date }>(
      `SELECT id, email, role, created_at FROM gateway.invitations WHERE workspace_id = $1 AND accepted_at IS NULL AND expires_at > now() ORDER BY created_at`,
      [workspaceId],
    );
    return [
      ...active.map((m) => ({ ...m, status: 'active' as const })),
      ...pending.map((p) => ({
        id: p.id,
        name: '',
        email: p.email,
        role: p.role as WorkspaceRole,
        status: 'pending' as const,
        created_at: p.created_at,
        last_login_at: null,
      })),
    ];
  }

  /** A member's role, or null when the account is not a member of the workspace. */
  async roleOf(workspaceId: string, accountId: string): Promise<WorkspaceRole | null> {
    const role = (
      await this.db.rows<{ role: string }>(`SELECT role FROM gateway.workspace_members WHERE workspace_id = $1 AND account_id = $2`, [
        workspaceId,
        accountId,
      ])
    )[0]?.role;
    return isWorkspaceRole(role) ? role : null;
  }

  async setRole(workspaceId: string, accountId: string, role: WorkspaceRole): Promise<boolean> {
    return (
      (
        await this.db.rows(
          `UPDATE gateway.workspace_members SET role = $3 WHERE workspace_id = $1 AND account_id = $2 RETURNING account_id`,
          [workspaceId, accountId, role],
        )
      ).length > 0
    );
  }

  /**
   * Makes `toId` the workspace's owner and `fromId`, its owner until now, an admin, in one transaction with
   * both memberships locked; false (nothing changed) when `fromId` is no longer the owner or `toId` no longer a member.
   */
  async transferOwnership(workspaceId: string, fromId: string, toId: string): Promise<boolean> {
    return this.db.dataSource.transaction(async (m) => {
      const rows = await this.db.rowsIn<{ account_id: string; role: string }>(
        m,
        `SELECT account_id, role FROM gateway.workspace_members WHERE workspace_id = $1 AND account_id = ANY($2::uuid[]) ORDER BY account_id FOR UPDATE`,
        [workspaceId, [fromId, toId]],
      );
      if (rows.find((r) => r.account_id === fromId)?.role !== 'owner' || !rows.some((r) => r.account_id === toId)) return false;
      await m.query(
        `UPDATE gateway.workspace_members SET role = CASE WHEN account_id = $2 THEN 'admin' ELSE 'owner' END WHERE workspace_id = $1 AND account_id IN ($2, $3)`,
        [workspaceId, fromId, toId],
      );
      return true;
    });
  }

  async removeMember(workspaceId: string, accountId: string): Promise<boolean> {
    return (
      (
        await this.db.rows(`DELETE FROM gateway.workspace_members WHERE workspace_id = $1 AND account_id = $2 RETURNING account_id`, [
          workspaceId,
          accountId,
        ])
      ).length > 0
    );
  }

  /** Creates an invitation (replacing an older pending one for the same email) and returns its secret token. */
  async invite(
    workspaceId: string,
    email: string,
    role: WorkspaceRole,
    invitedBy: string,
    ttlMs: number,
  ): Promise<{ id: string; token: string }> {
    const token = randomBytes(24).toString('base64url');
    const id = randomUUID();
    await this.db.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM gateway.invitations WHERE workspace_id = $1 AND email = $2 AND accepted_at IS NULL`, [workspaceId, email]);
      await m.query(
        `INSERT INTO gateway.invitations (id, workspace_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, workspaceId, email, role, hashToken(token), invitedBy, new Date(Date.now() + ttlMs)],
      );
    });
    return { id, token };
  }

  /** The pending, unexpired invitation with this token, or null. */
  async findInvitation(token: string): Promise<InvitationRow | null> {
    const rows = await this.db.rows<{ id: string; workspace_id: string; name: string; email: string; role: string; invited_by: string }>(
      `SELECT i.id, i.workspace_id, w.name, i.email, i.role, i.invited_by FROM gateway.invitations i JOIN gateway.workspaces w ON w.id = i.workspace_id
       WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > now()`,
      [hashToken(token)],
    );
    const r = rows[0];
    return r && isWorkspaceRole(r.role)
      ? { id: r.id, workspaceId: r.workspace_id, workspaceName: r.name, email: r.email, role: r.role, invitedBy: r.invited_by }
      : null;
  }

  /**
   * Accepts an invitation for an account that already exists (signed in, with the invited address): claims the
   * invitation, so it works once, and adds the membership in one transaction. Answers the account's role in the
   * workspace (an account that had become a member meanwhile keeps its role), or null when the invitation was
   * used meanwhile.
   */
  async acceptForAccount(invitation: InvitationRow, accountId: string): Promise<WorkspaceRole | null> {
    return this.db.dataSource.transaction(async (m) => {
      const claimed = await this.db.rowsIn(
        m,
        `UPDATE gateway.invitations SET accepted_at = now() WHERE id = $1 AND accepted_at IS NULL AND expires_at > now() RETURNING id`,
        [invitation.id],
      );
      if (claimed.length === 0) return null;
      await m.query(
        `INSERT INTO gateway.workspace_members (workspace_id, account_id, role, invited_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [invitation.workspaceId, accountId, invitation.role, invitation.invitedBy],
      );
      const [member] = await this.db.rowsIn<{ role: string }>(
        m,
        `SELECT role FROM gateway.workspace_members WHERE workspace_id = $1 AND account_id = $2`,
        [invitation.workspaceId, accountId],
      );
      return isWorkspaceRole(member?.role) ? member.role : null;
    });
  }

  /**
   * Accepts an invitation: creates the account and its membership, in one transaction that first claims
   * the invitation, so a token works once. Null when the invitation was already used or the email is taken.
   */
  async acceptInvitation(invitation: InvitationRow, name: string, passwordHash: string): Promise<{ accountId: string } | null> {
    return this.db.dataSource.transaction(async (m) => {
      const claimed = await this.db.rowsIn(
        m,
        `UPDATE gateway.invitations SET accepted_at = now() WHERE id = $1 AND accepted_at IS NULL RETURNING id`,
        [invitation.id],
      );
      if (claimed.length === 0) return null;
      const accountId = randomUUID();
      const inserted = await this.db.rowsIn(
        m,
        `INSERT INTO gateway.accounts (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
        [accountId, invitation.email, name, passwordHash],
      );
      if (inserted.length === 0) throw new EmailTakenError();
      await m.query(`INSERT INTO gateway.workspace_members (workspace_id, account_id, role, invited_by) VALUES ($1, $2, $3, $4)`, [
        invitation.workspaceId,
        accountId,
        invitation.role,
        invitation.invitedBy,
      ]);
      return { accountId };
    });
  }
}

/** The invited email got an account some other way in the meantime. */
export class EmailTakenError extends Error {}
