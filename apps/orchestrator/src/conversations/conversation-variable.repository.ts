import { Injectable } from '@nestjs/common';
import type { ConversationVariableRecord } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';
import type { ConversationVariable } from '@weft/workflow';

const epoch = (value: unknown) => Math.floor(new Date(value as string).getTime() / 1000);

function toRecord(r: Record<string, unknown>): ConversationVariableRecord & { position: number } {
  return {
    created_at: epoch(r['created_at']),
    description: (r['description'] as string) ?? '',
    id: r['id'] as string,
    name: r['name'] as string,
    position: Number(r['position']),
    updated_at: epoch(r['updated_at']),
    value: r['value'] ?? null,
    value_type: r['value_type'] as string,
  };
}

/** Chatflow conversation variables in Postgres: one row per conversation and variable. */
@Injectable()
export class ConversationVariableRepository {
  constructor(private readonly db: DatabaseService) {}

  /**
   * The conversation's variables, creating those the workflow declares and the conversation does not
   * have yet (its first turn, or a variable added by a later version) with their declared values. One
   * statement: the insert's rows come back through its RETURNING, the existing ones through the select.
   */
  async loadOrCreate(
    workspaceId: string,
    appId: string,
    conversationId: string,
    declared: readonly ConversationVariable[],
  ): Promise<Record<string, unknown>> {
    const defaults = declared.map((v, position) => ({
      description: v.description ?? '',
      id: v.id ?? v.name,
      name: v.name,
      position,
      value: v.value ?? null,
      value_type: v.value_type,
    }));
    const rows = await this.db.rows<{ name: string; value: unknown }>(
      `WITH created AS (
         INSERT INTO orchestrator.conversation_variables (conversation_id, name, id, workspace_id, app_id, position, value_type, value, description)
         SELECT $1, t.name, t.id, $2, $3, t.position, t.value_type, t.value, t.description
         FROM jsonb_to_recordset($4::jsonb) AS t(name text, id text, position integer, value_type text, value jsonb, description text)
         ON CONFLICT (conversation_id, name) DO NOTHING
         RETURNING name, value)
       SELECT name, value FROM orchestrator.conversation_variables WHERE conversation_id = $1 AND workspace_id = $2
       UNION ALL SELECT name, value FROM created`,
      [conversationId, workspaceId, appId, JSON.stringify(defaults)],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.value ?? null]));
  }

  /** Stores the values a turn ended with. */
  async save(workspaceId: string, conversationId: string, values: Record<string, unknown>): Promise<void> {
    const rows = Object.entries(values).map(([name, value]) => ({ name, value: value ?? null }));
    if (rows.length === 0) return;
    await this.db.dataSource.query(
      `UPDATE orchestrator.conversation_variables v SET value = t.value, updated_at = now()
       FROM jsonb_to_recordset($3::jsonb) AS t(name text, value jsonb)
       WHERE v.conversation_id = $1 AND v.workspace_id = $2 AND v.name = t.name AND v.value IS DISTINCT FROM t.value`,
      [conversationId, workspaceId, JSON.stringify(rows)],
    );
  }

  /** The conversation's variables in declaration order. */
  async list(workspaceId: string, appId: string, conversationId: string): Promise<(ConversationVariableRecord & { position: number })[]> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.conversation_variables WHERE conversation_id = $1 AND workspace_id = $2 AND app_id = $3 ORDER BY position, name`,
      [conversationId, workspaceId, appId],
    );
    return rows.map(toRecord);
  }

  /** Sets one variable (named by its id); null when the conversation has no such variable. */
  async update(
    workspaceId: string,
    appId: string,
    conversationId: string,
    variableId: string,
    value: unknown,
  ): Promise<ConversationVariableRecord | null> {
    const rows = await this.db.rows<Record<string, unknown>>(
      `UPDATE orchestrator.conversation_variables SET value = $5::jsonb, updated_at = now()
       WHERE conversation_id = $1 AND workspace_id = $2 AND app_id = $3 AND id = $4 RETURNING *`,
      [conversationId, workspaceId, appId, variableId, JSON.stringify(value ?? null)],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** One variable by id, or null. */
  async find(workspaceId: string, appId: string, conversationId: string, variableId: string): Promise<ConversationVariableRecord | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.conversation_variables WHERE conversation_id = $1 AND workspace_id = $2 AND app_id = $3 AND id = $4`,
      [conversationId, workspaceId, appId, variableId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }
}
