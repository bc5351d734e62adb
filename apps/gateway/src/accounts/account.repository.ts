import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';

/** An account with its first workspace and role there. */
export interface AccountWithWorkspace {
  accountId: string;
  email: string;
  name: string;
  passwordHash: string;
  role: string;
  workspaceId: string;
}

/** Accounts, workspaces and memberships. */
@Injectable()
export class AccountRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Creates an account and its own workspace (as owner) in one transaction; null when the email is taken. */
  async create(email: string, name: string, passwordHash: string): Promise<AccountWithWorkspace | null> {
    const accountId = randomUUID();
    const workspaceId = randomUUID();
    return this.db.dataSource.transaction(async (m) => {
      const inserted: unknown[] = await m.query(
        `INSERT INTO gateway.accounts (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
        [accountId, email, name, passwordHash],
      );
      if (inserted.length === 0) return null;
      await m.query(`INSERT INTO gateway.workspaces (id, name) VALUES ($1, $2)`, [workspaceId, `${name}'s Workspace`]);
      await m.query(`INSERT INTO gateway.workspace_members (workspace_id, account_id, role) VALUES ($1, $2, 'owner')`, [workspaceId, accountId]);
      return { accountId, email, name, passwordHash, role: 'owner', workspaceId };
    });
  }

  /** The account with this email and its oldest workspace membership, or null. */
  async findByEmail(email: string): Promise<AccountWithWorkspace | null> {
    const rows: Record<string, string>[] = await this.db.dataSource.query(
      `SELECT a.id, a.email, a.name, a.password_hash, m.workspace_id, m.role
       FROM gateway.accounts a JOIN gateway.workspace_members m ON m.account_id = a.id
       WHERE a.email = $1 ORDER BY m.created_at LIMIT 1`,
      [email],
    );
    const r = rows[0];
    return r ? { accountId: r['id']!, email: r['email']!, name: r['name']!, passwordHash: r['password_hash']!, role: r['role']!, workspaceId: r['workspace_id']! } : null;
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
  async roleIn(workspaceId: string, accountId: string): Promise<string | null> {
    const rows: { role: string }[] = await this.db.dataSource.query(
      `SELECT role FROM gateway.workspace_members WHERE workspace_id = $1 AND account_id = $2`,
      [workspaceId, accountId],
    );
    return rows[0]?.role ?? null;
  }
}
