import { Injectable } from '@nestjs/common';
import { isUuid } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';

/** What the Knowledge API reads of the gateway's own data: account names and configured model providers. */
@Injectable()
export class KnowledgeRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The name of a member of the workspace (a document's uploader), or null when unknown or not a member. */
  async memberName(workspaceId: string, accountId: string | null): Promise<string | null> {
    if (!accountId || !isUuid(accountId)) return null;
    const rows = await this.db.rows<{ name: string }>(
      `SELECT a.name FROM gateway.accounts a JOIN gateway.workspace_members m ON m.account_id = a.id WHERE m.workspace_id = $1 AND a.id = $2`,
      [workspaceId, accountId],
    );
    return rows[0]?.name ?? null;
  }

  /** The model providers the workspace has stored credentials for (short names: `openai`, `anthropic`, …). */
  async configuredProviders(workspaceId: string): Promise<string[]> {
    const rows = await this.db.rows<{ provider: string }>(
      `SELECT provider FROM gateway.provider_credentials WHERE workspace_id = $1 ORDER BY provider`,
      [workspaceId],
    );
    return rows.map((r) => r.provider);
  }
}
