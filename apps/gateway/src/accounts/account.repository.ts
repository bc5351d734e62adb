import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import type { EntityManager } from 'typeorm';
import { type WorkspaceRole, isWorkspaceRole } from './workspace-role.util';

/** An account with its first workspace and role there. */
export interface AccountWithWorkspace {
  accountId: string;
  email: string;
  name: string;
  passwordHash: string;
  role: string;
  status: string;
  workspaceId: string;
}

/** Accounts, workspaces and memberships. */
@Injectable()
export class AccountRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Creates an account and its own workspace (as owner) in one transaction; null when the email is taken. */
  async create(email: string, name: string, passwordHash: string): Promise<AccountWithWorkspace | null> {
    return this.db.dataSource.transaction((m) => this.insertWithWorkspace(m, email, name, passwordHash));
  }

  /**
   * Creates the instance's first account and its workspace, only while the instance has no account at all
   * (erased ones count); null otherwise. Under a transaction-scoped advisory lock, so two sign-ups racing on an
   * empty instance cannot both be the first.
   */
  async createFirst(email: string, name: string, passwordHash: string): Promise<AccountWithWorkspace | null> {
    return this.db.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('gateway.first-account', 0))`);
      const any = await this.db.rowsIn(m, `SELECT 1 FROM gateway.accounts LIMIT 1`);
      return any.length > 0 ? null : this.insertWithWorkspace(m, email, name, passwordHash);
    });
  }

  private async insertWithWorkspace(
    m: EntityManager,
    email: string,
    name: string,
    passwordHash: string,
  ): Promise<AccountWithWorkspace | null> {
    const accountId = randomUUID();
    const workspaceId = randomUUID();
    const inserted = await this.db.rowsIn(
      m,
      `INSERT INTO gateway.accounts (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [accountId, email, name, passwordHash],
    );
    if (inserted.length === 0) return null;
    await m.query(`INSERT INTO gateway.workspaces (id, name) VALUES ($1, $2)`, [workspaceId, `${name}'s Workspace`]);
    await m.query(`INSERT INTO gateway.workspace_members (workspace_id, account_id, role) VALUES ($1, $2, 'owner')`, [
      workspaceId,
      accountId,
    ]);
    return { accountId, email, name, passwordHash, role: 'owner', status: 'active', workspaceId };
  }

  /** Id and status of the account with this email, whether or not it belongs to a workspace, or null. */
  async findAccountByEmail(email: string): Promise<{ id: string; status: string } | null> {
    const rows = await this.db.rows<{ id: string; status: string }>(`SELECT id, status FROM gateway.accounts WHERE email = $1`, [email]);
    return rows[0] ?? null;
  }

  /** The account with this email and its oldest workspace membership, or null. */
  async findByEmail(email: string): Promise<AccountWithWorkspace | null> {
    return this.findOne(`a.email = $1`, email);
  }

  /** The account with this id and its oldest workspace membership, or null. */
  async findById(accountId: string): Promise<AccountWithWorkspace | null> {
    return this.findOne(`a.id = $1`, accountId);
  }

  private async findOne(where: string, value: string): Promise<AccountWithWorkspace | null> {
    const rows: Record<string, string>[] = await this.db.dataSource.query(
      `SELECT a.id, a.email, a.name, a.password_hash, a.status, m.workspace_id, m.role
       FROM gateway.accounts a JOIN gateway.workspace_members m ON m.account_id = a.id
       WHERE ${where} ORDER BY m.created_at LIMIT 1`,
      [value],
    );
    const r = rows[0];
    return r
      ? {
          accountId: r['id']!,
          email: r['email']!,
          name: r['name']!,
          passwordHash: r['password_hash']!,
          role: r['role']!,
          status: r['status']!,
          workspaceId: r['workspace_id']!,
        }
      : null;
  }

  /** What `GET /console/api/account/profile` shows (Dify's field names). */
  async profile(accountId: string): Promise<{
    id: string;
    name: string;
    email: string;
    created_at: number;
    last_login_at: number | null;
    last_login_ip: string | null;
  } | null> {
    const rows = await this.db.rows<{
      id: string;
      name: string;
      email: string;
      created_at: Date;
      last_login_at: Date | null;
      last_login_ip: string | null;
    }>(`SELECT id, name, email, created_at, last_login_at, last_login_ip FROM gateway.accounts WHERE id = $1`, [accountId]);
    const r = rows[0];
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    return r ? { ...r, created_at: seconds(r.created_at), last_login_at: r.last_login_at ? seconds(r.last_login_at) : null } : null;
  }

  /** Notes a successful login; replaces the password hash when it was made with older settings. */
  async recordLogin(accountId: string, ip: string | null, newPasswordHash: string | null): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE gateway.accounts SET last_login_at = now(), last_login_ip = $2, password_hash = COALESCE($3, password_hash) WHERE id = $1`,
      [accountId, ip, newPasswordHash],
    );
  }

  async setPasswordHash(accountId: string, passwordHash: string): Promise<void> {
    await this.db.dataSource.query(`UPDATE gateway.accounts SET password_hash = $2 WHERE id = $1`, [accountId, passwordHash]);
  }

  /** The id of the member of this workspace with this email, or null. */
  async memberIdByEmail(workspaceId: string, email: string): Promise<string | null> {
    const rows: { id: string }[] = await this.db.dataSource.query(
      `SELECT a.id FROM gateway.accounts a JOIN gateway.workspace_members m ON m.account_id = a.id WHERE m.workspace_id = $1 AND a.email = $2`,
      [workspaceId, email.trim().toLowerCase()],
    );
    return rows[0]?.id ?? null;
  }

  /** Name and email of the workspace's members among `ids`, for showing who started runs. */
  async membersByIds(workspaceId: string, ids: string[]): Promise<Map<string, { email: string; name: string }>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; email: string; name: string }[] = await this.db.dataSource.query(
      `SELECT a.id, a.email, a.name FROM gateway.accounts a JOIN gateway.workspace_members m ON m.account_id = a.id
       WHERE m.workspace_id = $1 AND a.id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return new Map(rows.map((r) => [r.id, { email: r.email, name: r.name }]));
  }

  /** The role of an account in a workspace, or null when it is not a member. */
  async roleIn(workspaceId: string, accountId: string): Promise<WorkspaceRole | null> {
    const rows: { role: string }[] = await this.db.dataSource.query(
      `SELECT role FROM gateway.workspace_members WHERE workspace_id = $1 AND account_id = $2`,
      [workspaceId, accountId],
    );
    const role = rows[0]?.role;
    return isWorkspaceRole(role) ? role : null;
  }

  /**
   * The role of an account in a workspace while the session is active (not logged out or revoked), or null.
   * One indexed query per console request.
   */
  async roleInSession(workspaceId: string, accountId: string, sessionId: string): Promise<WorkspaceRole | null> {
    const rows: { role: string }[] = await this.db.dataSource.query(
      `SELECT m.role FROM gateway.workspace_members m
       JOIN gateway.auth_sessions s ON s.id = $3 AND s.account_id = m.account_id AND s.revoked_at IS NULL
       WHERE m.workspace_id = $1 AND m.account_id = $2`,
      [workspaceId, accountId, sessionId],
    );
    const role = rows[0]?.role;
    return isWorkspaceRole(role) ? role : null;
  }
}
