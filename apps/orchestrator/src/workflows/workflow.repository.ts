import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { WorkflowRecord } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';

/** Dify's version string for a published workflow: its publish time, `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function publishVersion(at: Date): string {
  return `${at.toISOString().replace('T', ' ').replace('Z', '')}000`;
}

function toRecord(r: Record<string, unknown>): WorkflowRecord {
  return {
    createdAt: new Date(r['created_at'] as string).toISOString(),
    document: r['document'] as Record<string, unknown>,
    id: r['id'] as string,
    updatedAt: new Date(r['updated_at'] as string).toISOString(),
    version: r['version'] as string,
  };
}

/** Workflows and their versions: one draft per app, and immutable published copies. */
@Injectable()
export class WorkflowRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Creates or replaces the app's draft. */
  async saveDraft(
    workspaceId: string,
    appId: string,
    document: Record<string, unknown>,
    accountId: string | null,
  ): Promise<WorkflowRecord> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `INSERT INTO orchestrator.workflows (id, workspace_id, app_id, version, document, created_by)
       VALUES ($1, $2, $3, 'draft', $4, $5)
       ON CONFLICT (workspace_id, app_id, version) DO UPDATE SET document = excluded.document, updated_at = now()
       RETURNING *`,
      [randomUUID(), workspaceId, appId, JSON.stringify(document), accountId],
    );
    return toRecord(rows[0]!);
  }

  /** Copies the draft into a new published version; null when the app has no draft. */
  async publish(workspaceId: string, appId: string, accountId: string | null): Promise<WorkflowRecord | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `INSERT INTO orchestrator.workflows (id, workspace_id, app_id, version, document, created_by)
       SELECT $1, workspace_id, app_id, $4, document, $5 FROM orchestrator.workflows
       WHERE workspace_id = $2 AND app_id = $3 AND version = 'draft'
       RETURNING *`,
      [randomUUID(), workspaceId, appId, publishVersion(new Date()), accountId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The draft, the latest published version, or a version by workflow id; null when absent. */
  /**
   * Deletes everything the orchestrator holds for an app (node runs and runs, live and archived, its
   * conversations, annotations, conversation variables and workflow versions) in one transaction; counts rows per table.
   */
  async deleteApp(workspaceId: string, appId: string): Promise<Record<string, number>> {
    // Node runs go by their runs' ids (indexed by run), runs and the rest by workspace and app (indexed).
    const statements: [string, string][] = [];
    for (const suffix of ['', '_archive']) {
      statements.push([
        `workflow_node_executions${suffix}`,
        `DELETE FROM orchestrator.workflow_node_executions${suffix} WHERE workflow_run_id IN (SELECT id FROM orchestrator.workflow_runs${suffix} WHERE workspace_id = $1 AND app_id = $2) RETURNING 1`,
      ]);
      statements.push([
        `workflow_runs${suffix}`,
        `DELETE FROM orchestrator.workflow_runs${suffix} WHERE workspace_id = $1 AND app_id = $2 RETURNING 1`,
      ]);
    }
    for (const table of [
      'message_feedbacks',
      'messages',
      'conversations',
      'message_annotations',
      'annotation_settings',
      'annotation_jobs',
    ]) {
      statements.push([table, `DELETE FROM orchestrator.${table} WHERE workspace_id = $1 AND app_id = $2 RETURNING 1`]);
    }
    statements.push([
      'conversation_variables',
      `DELETE FROM orchestrator.conversation_variables WHERE workspace_id = $1 AND app_id = $2 RETURNING 1`,
    ]);
    statements.push(['workflows', `DELETE FROM orchestrator.workflows WHERE workspace_id = $1 AND app_id = $2 RETURNING 1`]);
    return this.db.dataSource.transaction(async (m) => {
      const deleted: Record<string, number> = {};
      for (const [table, sql] of statements) deleted[table] = (await this.db.rowsIn(m, sql, [workspaceId, appId])).length;
      return deleted;
    });
  }

  async find(workspaceId: string, appId: string, version: string): Promise<WorkflowRecord | null> {
    let rows: Record<string, unknown>[];
    if (version === 'draft') {
      rows = await this.db.dataSource.query(
        `SELECT * FROM orchestrator.workflows WHERE workspace_id = $1 AND app_id = $2 AND version = 'draft'`,
        [workspaceId, appId],
      );
    } else if (version === 'published') {
      rows = await this.db.dataSource.query(
        `SELECT * FROM orchestrator.workflows WHERE workspace_id = $1 AND app_id = $2 AND version <> 'draft' ORDER BY created_at DESC LIMIT 1`,
        [workspaceId, appId],
      );
    } else {
      rows = await this.db.dataSource.query(`SELECT * FROM orchestrator.workflows WHERE workspace_id = $1 AND app_id = $2 AND id = $3`, [
        workspaceId,
        appId,
        version,
      ]);
    }
    return rows[0] ? toRecord(rows[0]) : null;
  }
}
