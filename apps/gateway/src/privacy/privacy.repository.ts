import { Injectable } from '@nestjs/common';
import type { EraseStepRequest } from '@weft/contracts';
import { DatabaseService, exportSectionsPage, type ExportSectionsPage } from '@weft/persistence';
import type { EntityManager } from 'typeorm';
import { PrivacyErrors } from './privacy.exception';

/** The email an erased account is left with (the seed's format); unique, so the email index still holds. */
export const anonymizedEmail = (accountId: string) => `deleted_user_${accountId}@anonymized.local`;
export const ANONYMIZED_NAME = 'Deleted user';
/** What a shared workspace named after an erased account is called instead. */
export const ERASED_WORKSPACE_NAME = 'Workspace';
/** Not a hash any password can match: verifyPassword accepts only argon2 and scrypt hashes. */
const UNUSABLE_PASSWORD_HASH = '!erased';

/** Tables of a workspace, children first, for erasing a workspace whole. */
const WORKSPACE_TABLES = [
  'end_users',
  'api_keys',
  'provider_credentials',
  'upload_files',
  'tool_files',
  'invitations',
  'workspace_members',
  'apps',
] as const;

const count = async (db: DatabaseService, m: EntityManager, sql: string, params: unknown[]): Promise<number> =>
  (await db.rowsIn<{ n: number }>(m, `WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, params))[0]?.n ?? 0;

/**
 * What the gateway holds about a person, for export and erasure. Queries span the workspaces the account
 * belongs to (a person's data is theirs across tenants); end-user queries take the workspace.
 */
@Injectable()
export class PrivacyRepository {
  constructor(private readonly db: DatabaseService) {}

  /** One page of the account's export: profile, memberships, sessions, apps, keys, uploads, invitations it sent. */
  exportPage(accountId: string, workspaceIds: string[], cursor: string | null): Promise<ExportSectionsPage> {
    const a = [accountId];
    const aw = [accountId, workspaceIds];
    return exportSectionsPage(
      this.db,
      [
        {
          name: 'profile',
          sql: `SELECT id, email, name, status, created_at, last_login_at, last_login_ip FROM gateway.accounts WHERE id = $1 ORDER BY id`,
          params: a,
        },
        {
          name: 'workspaces',
          sql: `SELECT w.id, w.name, m.role, m.created_at AS joined_at, m.invited_by FROM gateway.workspace_members m JOIN gateway.workspaces w ON w.id = m.workspace_id WHERE m.account_id = $1 ORDER BY m.created_at, w.id`,
          params: a,
        },
        {
          name: 'sessions',
          sql: `SELECT id, workspace_id, ip, user_agent, created_at, revoked_at, revoked_reason FROM gateway.auth_sessions WHERE account_id = $1 ORDER BY created_at, id`,
          params: a,
        },
        {
          name: 'apps',
          sql: `SELECT id, workspace_id, name, mode, description, icon, icon_type, icon_background, model_config, enable_api, created_at, updated_at FROM gateway.apps
                WHERE created_by = $1 AND workspace_id = ANY($2::uuid[]) ORDER BY created_at, id`,
          params: aw,
        },
        {
          name: 'api_keys',
          sql: `SELECT id, workspace_id, app_id, type, token_hint, created_at, last_used_at FROM gateway.api_keys WHERE created_by = $1 AND workspace_id = ANY($2::uuid[]) ORDER BY created_at, id`,
          params: aw,
        },
        {
          name: 'uploaded_files',
          sql: `SELECT id, workspace_id, name, size, extension, mime_type, created_at FROM gateway.upload_files
                WHERE created_by = $1 AND created_by_role = 'account' AND workspace_id = ANY($2::uuid[]) ORDER BY created_at, id`,
          params: aw,
        },
        // Who was invited is the invitee's data, not the inviter's: the invitation is shown without the address.
        {
          name: 'invitations_sent',
          sql: `SELECT id, workspace_id, role, created_at, expires_at, accepted_at FROM gateway.invitations WHERE invited_by = $1 ORDER BY created_at, id`,
          params: a,
        },
      ],
      cursor,
    );
  }

  /**
   * Storage keys of the files an account erasure removes: every file of the workspaces erased whole (uploads and
   * tool files), and the account's own uploads if asked.
   */
  async accountFiles(req: EraseStepRequest, accountId: string): Promise<string[]> {
    const rows = await this.db.rows<{ storage_key: string }>(
      `SELECT storage_key FROM gateway.upload_files WHERE workspace_id = ANY($1::uuid[]) OR ($3 AND created_by = $2 AND created_by_role = 'account')
       UNION ALL SELECT storage_key FROM gateway.tool_files WHERE workspace_id = ANY($1::uuid[])`,
      [req.deleteWorkspaceIds, accountId, req.deleteDocuments],
    );
    return rows.map((r) => r.storage_key);
  }

  /**
   * Erases an account in one transaction: the workspaces it alone belonged to go whole; its memberships,
   * pending invitations and mailed codes to its address, and (if asked) its uploads go; its sessions end and lose their
   * address and user agent; the account row stays, anonymized, so ids elsewhere still point at something.
   */
  async eraseAccount(req: EraseStepRequest, accountId: string): Promise<Record<string, number>> {
    return this.db.dataSource.transaction(async (m) => {
      const [account] = await this.db.rowsIn<{ email: string; status: string }>(
        m,
        `SELECT email, status FROM gateway.accounts WHERE id = $1 FOR UPDATE`,
        [accountId],
      );
      if (!account) return {};
      const counts: Record<string, number> = {};
      if (req.deleteWorkspaceIds.length > 0) {
        const others = await this.db.rowsIn<{ workspace_id: string }>(
          m,
          `SELECT DISTINCT workspace_id FROM gateway.workspace_members WHERE workspace_id = ANY($1::uuid[]) AND account_id <> $2`,
          [req.deleteWorkspaceIds, accountId],
        );
        if (others.length > 0) throw PrivacyErrors.workspaceGainedMembers(others[0].workspace_id);
        for (const table of WORKSPACE_TABLES) {
          counts[table] = await count(this.db, m, `DELETE FROM gateway.${table} WHERE workspace_id = ANY($1::uuid[])`, [
            req.deleteWorkspaceIds,
          ]);
        }
        counts['workspaces'] = await count(this.db, m, `DELETE FROM gateway.workspaces WHERE id = ANY($1::uuid[])`, [
          req.deleteWorkspaceIds,
        ]);
      }
      const owned = await this.db.rowsIn<{ workspace_id: string }>(
        m,
        `SELECT m.workspace_id FROM gateway.workspace_members m WHERE m.account_id = $1 AND m.role = 'owner'
           AND EXISTS (SELECT 1 FROM gateway.workspace_members o WHERE o.workspace_id = m.workspace_id AND o.account_id <> $1)`,
        [accountId],
      );
      if (owned.length > 0) throw PrivacyErrors.ownsWorkspaceWithMembers(owned[0].workspace_id);
      if (req.deleteDocuments) {
        counts['own_uploaded_files'] = await count(
          this.db,
          m,
          `DELETE FROM gateway.upload_files WHERE created_by = $1 AND created_by_role = 'account'`,
          [accountId],
        );
      }
      // A workspace the account leaves behind (shared, now owned by another) loses a name that names the
      // person: "Ada Lovelace's Workspace", or one holding their address, becomes "Workspace". A name shorter
      // than three characters counts only in the default form ("Al's Workspace"), so it cannot match by chance.
      counts['workspaces_renamed'] = await count(
        this.db,
        m,
        `UPDATE gateway.workspaces w SET name = $3 FROM gateway.accounts a
         WHERE a.id = $1 AND w.id IN (SELECT workspace_id FROM gateway.workspace_members WHERE account_id = $1)
           AND NOT (w.id = ANY($2::uuid[]))
           AND ((length(trim(a.name)) >= 3 AND strpos(lower(w.name), lower(trim(a.name))) > 0)
             OR lower(w.name) = lower(trim(a.name)) || '''s workspace'
             OR strpos(lower(w.name), lower(a.email)) > 0
             OR strpos(lower(w.name), lower(split_part(a.email, '@', 1)) || '''s workspace') > 0)`,
        [accountId, req.deleteWorkspaceIds, ERASED_WORKSPACE_NAME],
      );
      counts['memberships'] = await count(this.db, m, `DELETE FROM gateway.workspace_members WHERE account_id = $1`, [accountId]);
      if (account.status !== 'anonymized') {
        counts['invitations_received'] = await count(this.db, m, `DELETE FROM gateway.invitations WHERE email = $1`, [account.email]);
        counts['verification_codes'] = await count(this.db, m, `DELETE FROM gateway.verification_codes WHERE email = $1`, [account.email]);
      }
      counts['refresh_tokens'] = await count(
        this.db,
        m,
        `DELETE FROM gateway.refresh_tokens WHERE session_id IN (SELECT id FROM gateway.auth_sessions WHERE account_id = $1)`,
        [accountId],
      );
      counts['sessions'] = await count(
        this.db,
        m,
        `UPDATE gateway.auth_sessions SET revoked_at = COALESCE(revoked_at, now()), revoked_reason = COALESCE(revoked_reason, 'account_erased'), ip = NULL, user_agent = NULL
         WHERE account_id = $1 AND (ip IS NOT NULL OR user_agent IS NOT NULL OR revoked_at IS NULL)`,
        [accountId],
      );
      counts['accounts_anonymized'] = await count(
        this.db,
        m,
        `UPDATE gateway.accounts SET email = $2, name = $3, password_hash = $4, status = 'anonymized', last_login_at = NULL, last_login_ip = NULL
         WHERE id = $1 AND status <> 'anonymized'`,
        [accountId, anonymizedEmail(accountId), ANONYMIZED_NAME, UNUSABLE_PASSWORD_HASH],
      );
      return counts;
    });
  }

  /** The end users a `user` string names in a workspace (one per app, or in one app). */
  async endUsers(workspaceId: string, appId: string | null, user: string): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM gateway.end_users WHERE workspace_id = $1 AND session_id = $2 AND ($3::uuid IS NULL OR app_id = $3)`,
      [workspaceId, user, appId],
    );
    return rows.map((r) => r.id);
  }

  async endUserFiles(workspaceId: string, endUserIds: string[]): Promise<string[]> {
    const rows = await this.db.rows<{ storage_key: string }>(
      `SELECT storage_key FROM gateway.upload_files WHERE workspace_id = $1 AND created_by = ANY($2::uuid[]) AND created_by_role = 'end_user'`,
      [workspaceId, endUserIds],
    );
    return rows.map((r) => r.storage_key);
  }

  /**
   * Deletes what end users sent, in one transaction: their uploads and the end-user rows (their conversations
   * and messages are the orchestrator's, erased in the step before).
   */
  async eraseEndUsers(workspaceId: string, endUserIds: string[]): Promise<Record<string, number>> {
    return this.db.dataSource.transaction(async (m) => {
      const params = [workspaceId, endUserIds];
      const counts: Record<string, number> = {};
      counts['uploaded_files'] = await count(
        this.db,
        m,
        `DELETE FROM gateway.upload_files WHERE workspace_id = $1 AND created_by = ANY($2::uuid[]) AND created_by_role = 'end_user'`,
        params,
      );
      counts['end_users'] = await count(
        this.db,
        m,
        `DELETE FROM gateway.end_users WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
        params,
      );
      return counts;
    });
  }

  /** The workspaces an account belongs to, with its role and how many others belong there too. */
  async memberships(accountId: string): Promise<{ name: string; others: number; role: string; workspace_id: string }[]> {
    return this.db.rows(
      `SELECT m.workspace_id, m.role, w.name, (SELECT count(*)::int FROM gateway.workspace_members o WHERE o.workspace_id = m.workspace_id AND o.account_id <> $1) AS others
       FROM gateway.workspace_members m JOIN gateway.workspaces w ON w.id = m.workspace_id WHERE m.account_id = $1 ORDER BY m.created_at`,
      [accountId],
    );
  }
}
