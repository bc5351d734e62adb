import { Injectable } from '@nestjs/common';
import type { EraseStepRequest } from '@weft/contracts';
import { DatabaseService, exportSectionsPage, type ExportSectionsPage } from '@weft/persistence';
import type { EntityManager } from 'typeorm';

/** Live run tables and, where the archiving job has made them, their archives: erasure reaches both. */
const RUN_TABLES = [
  { nodes: 'workflow_node_executions', runs: 'workflow_runs' },
  { nodes: 'workflow_node_executions_archive', runs: 'workflow_runs_archive' },
] as const;

const count = async (db: DatabaseService, m: EntityManager, sql: string, params: unknown[]): Promise<number> =>
  (await db.rowsIn<{ n: number }>(m, `WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, params))[0]?.n ?? 0;

/**
 * What the orchestrator holds about a person: workflows an account saved, runs it or an end user started.
 * Erasing a run keeps the run (status, timings, tokens, steps: the aggregates) and drops what the person
 * put in or got out: inputs, outputs, files, errors, the chat query, and the same in each node run.
 */
@Injectable()
export class PrivacyRepository {
  constructor(private readonly db: DatabaseService) {}

  exportPage(accountId: string, workspaceIds: string[], cursor: string | null): Promise<ExportSectionsPage> {
    const params = [accountId, workspaceIds];
    return exportSectionsPage(
      this.db,
      [
        {
          name: 'workflows',
          sql: `SELECT id, workspace_id, app_id, version, document, created_at, updated_at FROM orchestrator.workflows WHERE created_by = $1 AND workspace_id = ANY($2::uuid[]) ORDER BY created_at, id`,
          params,
        },
        {
          name: 'runs',
          sql: `SELECT id, workspace_id, app_id, workflow_id, version, triggered_from, inputs, files, status, outputs, error, elapsed_time, total_tokens, total_steps, created_at, finished_at
                FROM orchestrator.workflow_runs WHERE created_by_account_id = $1 AND workspace_id = ANY($2::uuid[]) ORDER BY created_at, id`,
          params,
        },
        {
          name: 'node_runs',
          sql: `SELECT n.id, n.workflow_run_id, n.node_id, n.node_type, n.title, n.inputs, n.process_data, n.outputs, n.status, n.error, n.created_at, n.finished_at
                FROM orchestrator.workflow_node_executions n JOIN orchestrator.workflow_runs r ON r.id = n.workflow_run_id
                WHERE r.created_by_account_id = $1 AND r.workspace_id = ANY($2::uuid[]) ORDER BY n.created_at, n.id`,
          params,
        },
      ],
      cursor,
    );
  }

  /**
   * Idempotent, in one transaction: a second run finds nothing left (scrubbed runs no longer name their end
   * user). An end user's conversations and messages go whole (their counts, tokens and cost added to
   * `erased_usage` first); `endUserIds` are the end users the gateway knows for the subject's `user` string,
   * to which those named by the subject's runs are added.
   */
  async erase(req: EraseStepRequest, endUserIds: string[] = []): Promise<Record<string, number>> {
    return this.db.dataSource.transaction(async (m) => {
      const tables = await this.existingRunTables(m);
      const counts: Record<string, number> = {};
      const { subject } = req;
      if (subject.type === 'account') {
        if (req.deleteWorkspaceIds.length > 0) {
          const ws = [req.deleteWorkspaceIds];
          for (const t of tables) {
            counts[t.nodes] = await count(this.db, m, `DELETE FROM orchestrator.${t.nodes} WHERE workspace_id = ANY($1::uuid[])`, ws);
            counts[t.runs] = await count(this.db, m, `DELETE FROM orchestrator.${t.runs} WHERE workspace_id = ANY($1::uuid[])`, ws);
          }
          counts['conversation_variables'] = await count(
            this.db,
            m,
            `DELETE FROM orchestrator.conversation_variables WHERE workspace_id = ANY($1::uuid[])`,
            ws,
          );
          for (const table of [
            'message_feedbacks',
            'messages',
            'conversations',
            'erased_usage',
            'message_annotations',
            'annotation_settings',
            'annotation_jobs',
          ]) {
            counts[table] = await count(this.db, m, `DELETE FROM orchestrator.${table} WHERE workspace_id = ANY($1::uuid[])`, ws);
          }
          counts['workflows'] = await count(this.db, m, `DELETE FROM orchestrator.workflows WHERE workspace_id = ANY($1::uuid[])`, ws);
        }
        for (const t of tables) {
          counts[`${t.runs}_scrubbed`] = await this.scrubRuns(
            m,
            t,
            `created_by_account_id = $1 AND workspace_id = ANY($2::uuid[]) AND inputs <> '{}'::jsonb`,
            [subject.accountId, req.workspaceIds],
          );
        }
        return counts;
      }
      const where = `workspace_id = $1 AND created_by_end_user_session_id = $2 AND ($3::uuid IS NULL OR app_id = $3)`;
      const params = [subject.workspaceId, subject.user, subject.appId];
      const conversations = await this.db.rowsIn<{ id: string }>(
        m,
        `SELECT DISTINCT chat->>'conversationId' AS id FROM orchestrator.workflow_runs WHERE ${where} AND chat->>'conversationId' IS NOT NULL`,
        params,
      );
      counts['conversation_variables'] = await count(
        this.db,
        m,
        `DELETE FROM orchestrator.conversation_variables WHERE workspace_id = $1 AND conversation_id = ANY($2::uuid[])`,
        [subject.workspaceId, conversations.map((c) => c.id)],
      );
      const named = new Set(endUserIds);
      for (const t of tables) {
        const rows = await this.db.rowsIn<{ id: string }>(
          m,
          `SELECT DISTINCT created_by_end_user_id AS id FROM orchestrator.${t.runs} WHERE ${where} AND created_by_end_user_id IS NOT NULL`,
          params,
        );
        for (const r of rows) named.add(r.id);
      }
      Object.assign(counts, await this.eraseEndUserMessages(m, subject.workspaceId, [...named]));
      for (const t of tables) counts[`${t.runs}_scrubbed`] = await this.scrubRuns(m, t, where, params);
      return counts;
    });
  }

  /** Deletes the end users' conversations, messages and feedback, adding their counts, tokens and cost to `erased_usage` first. */
  private async eraseEndUserMessages(m: EntityManager, workspaceId: string, endUserIds: string[]): Promise<Record<string, number>> {
    const params = [workspaceId, endUserIds];
    await m.query(
      `INSERT INTO orchestrator.erased_usage AS u (workspace_id, app_id, day, messages, message_tokens, answer_tokens, total_price)
       SELECT workspace_id, app_id, (created_at AT TIME ZONE 'UTC')::date, count(*), sum(message_tokens), sum(answer_tokens), sum(total_price)
       FROM orchestrator.messages WHERE workspace_id = $1 AND end_user_id = ANY($2::uuid[]) GROUP BY 1, 2, 3
       ON CONFLICT (workspace_id, app_id, day) DO UPDATE SET messages = u.messages + excluded.messages, message_tokens = u.message_tokens + excluded.message_tokens,
         answer_tokens = u.answer_tokens + excluded.answer_tokens, total_price = u.total_price + excluded.total_price`,
      params,
    );
    await m.query(
      `INSERT INTO orchestrator.erased_usage AS u (workspace_id, app_id, day, conversations)
       SELECT workspace_id, app_id, (created_at AT TIME ZONE 'UTC')::date, count(*) FROM orchestrator.conversations WHERE workspace_id = $1 AND end_user_id = ANY($2::uuid[]) GROUP BY 1, 2, 3
       ON CONFLICT (workspace_id, app_id, day) DO UPDATE SET conversations = u.conversations + excluded.conversations`,
      params,
    );
    const counts: Record<string, number> = {};
    counts['message_feedbacks'] = await count(
      this.db,
      m,
      `DELETE FROM orchestrator.message_feedbacks WHERE workspace_id = $1 AND (end_user_id = ANY($2::uuid[]) OR message_id IN (SELECT id FROM orchestrator.messages WHERE workspace_id = $1 AND end_user_id = ANY($2::uuid[])))`,
      params,
    );
    counts['messages'] = await count(
      this.db,
      m,
      `DELETE FROM orchestrator.messages WHERE workspace_id = $1 AND end_user_id = ANY($2::uuid[])`,
      params,
    );
    const conversations = await this.db.rowsIn<{ id: string }>(
      m,
      `DELETE FROM orchestrator.conversations WHERE workspace_id = $1 AND end_user_id = ANY($2::uuid[]) RETURNING id`,
      params,
    );
    counts['conversations'] = conversations.length;
    await m.query(`DELETE FROM orchestrator.conversation_variables WHERE workspace_id = $1 AND conversation_id = ANY($2::uuid[])`, [
      workspaceId,
      conversations.map((c) => c.id),
    ]);
    return counts;
  }

  private async scrubRuns(m: EntityManager, t: (typeof RUN_TABLES)[number], where: string, params: unknown[]): Promise<number> {
    await m.query(
      `UPDATE orchestrator.${t.nodes} SET inputs = NULL, process_data = NULL, outputs = NULL, error = NULL
       WHERE workflow_run_id IN (SELECT id FROM orchestrator.${t.runs} WHERE ${where})`,
      params,
    );
    return count(
      this.db,
      m,
      `UPDATE orchestrator.${t.runs} SET inputs = '{}'::jsonb, files = '[]'::jsonb, outputs = NULL, error = NULL, created_by_end_user_session_id = NULL,
         chat = CASE WHEN chat IS NULL THEN NULL ELSE jsonb_set(chat, '{query}', '""'::jsonb) END
       WHERE ${where}`,
      params,
    );
  }

  private async existingRunTables(m: EntityManager): Promise<(typeof RUN_TABLES)[number][]> {
    const found: (typeof RUN_TABLES)[number][] = [];
    for (const t of RUN_TABLES) {
      const [row] = await this.db.rowsIn<{ runs: string | null; nodes: string | null }>(
        m,
        `SELECT to_regclass($1) AS runs, to_regclass($2) AS nodes`,
        [`orchestrator.${t.runs}`, `orchestrator.${t.nodes}`],
      );
      if (row?.runs && row.nodes) found.push(t);
    }
    return found;
  }
}
