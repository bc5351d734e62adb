import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';

/** An account as an annotation names its author: Dify's `{id, name}`. */
export interface AnnotationAuthor {
  id: string;
  name: string;
}

/**
 * Who writes an app's annotations and who they are shown as. Through an app key, Dify acts as the workspace's owner;
 * a reply names the annotation's author, looked up among the workspace's members only.
 */
@Injectable()
export class AnnotationAuthorRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The workspace's owner (served by the members' primary key, which starts with the workspace). */
  async owner(workspaceId: string): Promise<AnnotationAuthor | null> {
    const rows = await this.db.rows<AnnotationAuthor>(
      `SELECT a.id, a.name FROM gateway.workspace_members m JOIN gateway.accounts a ON a.id = m.account_id
       WHERE m.workspace_id = $1 AND m.role = 'owner' ORDER BY m.created_at LIMIT 1`,
      [workspaceId],
    );
    return rows[0] ?? null;
  }

  /** The name of a member of the workspace, or null when the account is gone or not a member. */
  async name(workspaceId: string, accountId: string): Promise<string | null> {
    const rows = await this.db.rows<{ name: string }>(
      `SELECT a.name FROM gateway.accounts a JOIN gateway.workspace_members m ON m.account_id = a.id AND m.workspace_id = $1 WHERE a.id = $2`,
      [workspaceId, accountId],
    );
    return rows[0]?.name ?? null;
  }
}
