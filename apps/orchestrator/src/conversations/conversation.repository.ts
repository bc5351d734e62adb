import { Injectable } from '@nestjs/common';
import type { AgentThoughtRecord, ConversationSort, ConversationTurn } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';

/** A conversation row. */
export interface ConversationRow {
  appId: string;
  createdAt: Date;
  dialogueCount: number;
  endUserId: string;
  id: string;
  inputs: Record<string, unknown>;
  introduction: string;
  mode: string;
  name: string;
  status: string;
  updatedAt: Date;
  workspaceId: string;
}

/** A message row with its feedback. */
export interface MessageRow {
  answer: string;
  answerTokens: number;
  appId: string;
  conversationId: string | null;
  createdAt: Date;
  currency: string;
  endUserId: string;
  /** An agent-chat app's agent thoughts (Dify's records), empty for other apps. */
  agentThoughts: AgentThoughtRecord[];
  error: string | null;
  feedback: { content: string | null; rating: string } | null;
  files: unknown[];
  id: string;
  inputs: Record<string, unknown>;
  latency: number;
  messageTokens: number;
  query: string;
  retrieverResources: unknown[];
  /** `running` until the run ends; then `normal`, `error` or `stopped`. */
  status: string;
  taskId: string;
  totalPrice: string;
  workflowRunId: string | null;
  workspaceId: string;
}

/** What a finished turn stores on its message. */
/** An end user's feedback on a message of an app. */
export interface FeedbackRow {
  appId: string;
  content: string | null;
  conversationId: string | null;
  createdAt: Date;
  endUserId: string;
  messageId: string;
  rating: string;
  updatedAt: Date;
}

export interface MessageOutcome {
  agentThoughts: AgentThoughtRecord[];
  answer: string;
  answerTokens: number;
  currency: string;
  error: string | null;
  latency: number;
  messageTokens: number;
  retrieverResources: unknown[];
  status: 'normal' | 'error' | 'stopped';
  totalPrice: string;
}

const date = (v: unknown) => new Date(v as string);

function toConversation(r: Record<string, unknown>): ConversationRow {
  return {
    appId: r['app_id'] as string,
    createdAt: date(r['created_at']),
    dialogueCount: Number(r['dialogue_count'] ?? 0),
    endUserId: r['end_user_id'] as string,
    id: r['id'] as string,
    inputs: (r['inputs'] as Record<string, unknown>) ?? {},
    introduction: (r['introduction'] as string) ?? '',
    mode: r['mode'] as string,
    name: r['name'] as string,
    status: r['status'] as string,
    updatedAt: date(r['updated_at']),
    workspaceId: r['workspace_id'] as string,
  };
}

function toMessage(r: Record<string, unknown>): MessageRow {
  return {
    answer: (r['answer'] as string) ?? '',
    answerTokens: Number(r['answer_tokens'] ?? 0),
    appId: r['app_id'] as string,
    conversationId: (r['conversation_id'] as string | null) ?? null,
    createdAt: date(r['created_at']),
    currency: (r['currency'] as string) ?? 'USD',
    endUserId: r['end_user_id'] as string,
    agentThoughts: (r['agent_thoughts'] as AgentThoughtRecord[] | null) ?? [],
    error: (r['error'] as string | null) ?? null,
    feedback: r['feedback_rating']
      ? { content: (r['feedback_content'] as string | null) ?? null, rating: r['feedback_rating'] as string }
      : null,
    files: (r['files'] as unknown[]) ?? [],
    id: r['id'] as string,
    inputs: (r['inputs'] as Record<string, unknown>) ?? {},
    latency: Number(r['latency'] ?? 0),
    messageTokens: Number(r['message_tokens'] ?? 0),
    query: r['query'] as string,
    retrieverResources: (r['retriever_resources'] as unknown[]) ?? [],
    status: r['status'] as string,
    taskId: r['task_id'] as string,
    totalPrice: String(r['total_price'] ?? '0'),
    workflowRunId: (r['workflow_run_id'] as string | null) ?? null,
    workspaceId: r['workspace_id'] as string,
  };
}

const MESSAGE_SELECT = `SELECT m.*, f.rating AS feedback_rating, f.content AS feedback_content
  FROM orchestrator.messages m LEFT JOIN orchestrator.message_feedbacks f ON f.message_id = m.id`;

/**
 * Conversations, messages and feedback. Every query names the workspace and the app, and those a
 * Service API user reaches also name the end user, so one user never reads another's conversation.
 */
@Injectable()
export class ConversationRepository {
  constructor(private readonly db: DatabaseService) {}

  async createConversation(
    c: Pick<ConversationRow, 'appId' | 'endUserId' | 'id' | 'inputs' | 'introduction' | 'mode' | 'name' | 'workspaceId'>,
  ): Promise<ConversationRow> {
    const rows = await this.db.rows<Record<string, unknown>>(
      `INSERT INTO orchestrator.conversations (id, workspace_id, app_id, end_user_id, mode, name, inputs, introduction)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [c.id, c.workspaceId, c.appId, c.endUserId, c.mode, c.name, JSON.stringify(c.inputs), c.introduction],
    );
    return toConversation(rows[0]!);
  }

  /** One conversation of one end user (any with `endUserId` null: the console), or null (another user's is as unknown as a random id). */
  async findConversation(workspaceId: string, appId: string, endUserId: string | null, id: string): Promise<ConversationRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.conversations WHERE id = $1 AND workspace_id = $2 AND app_id = $3 AND ($4::uuid IS NULL OR end_user_id = $4)`,
      [id, workspaceId, appId, endUserId],
    );
    return rows[0] ? toConversation(rows[0]) : null;
  }

  /**
   * Stores a new turn's message and counts the turn on its conversation in one statement; returns the
   * conversation's dialogue count including this turn (1 for a completion message, which has none). The
   * message is running, or already answered when `answer` is given (a turn no run answers: an annotation's).
   * Null when a message with this id is already stored (an earlier attempt of the same start): nothing changes.
   */
  async startTurn(
    m: Pick<
      MessageRow,
      'appId' | 'conversationId' | 'endUserId' | 'files' | 'id' | 'inputs' | 'query' | 'taskId' | 'workflowRunId' | 'workspaceId'
    >,
    answer: string | null = null,
  ): Promise<number | null> {
    const rows = await this.db.rows<{ dialogue_count: number | null }>(
      `WITH message AS (
         INSERT INTO orchestrator.messages (id, workspace_id, app_id, conversation_id, end_user_id, workflow_run_id, task_id, inputs, query, status, files, answer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $11::text IS NULL THEN 'running' ELSE 'normal' END, $10, coalesce($11, ''))
         ON CONFLICT (id) DO NOTHING
         RETURNING id),
       counted AS (
         UPDATE orchestrator.conversations SET dialogue_count = dialogue_count + 1, updated_at = now()
         WHERE id = $4 AND workspace_id = $2 AND EXISTS (SELECT 1 FROM message) RETURNING dialogue_count)
       SELECT (SELECT dialogue_count FROM counted) AS dialogue_count FROM message`,
      [
        m.id,
        m.workspaceId,
        m.appId,
        m.conversationId,
        m.endUserId,
        m.workflowRunId,
        m.taskId,
        JSON.stringify(m.inputs),
        m.query,
        JSON.stringify(m.files),
        answer,
      ],
    );
    if (!rows[0]) return null;
    return rows[0].dialogue_count ?? 1;
  }

  /** Stores how a turn ended; only a message still running is changed, so a late duplicate changes nothing. */
  async finishTurn(workspaceId: string, messageId: string, outcome: MessageOutcome): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE orchestrator.messages SET answer = $3, status = $4, error = $5, message_tokens = $6, answer_tokens = $7, total_price = $8,
         currency = $9, latency = $10, retriever_resources = $11, agent_thoughts = $12, updated_at = now()
       WHERE id = $1 AND workspace_id = $2 AND status = 'running'`,
      [
        messageId,
        workspaceId,
        outcome.answer,
        outcome.status,
        outcome.error,
        outcome.messageTokens,
        outcome.answerTokens,
        outcome.totalPrice,
        outcome.currency,
        outcome.latency,
        JSON.stringify(outcome.retrieverResources),
        JSON.stringify(outcome.agentThoughts),
      ],
    );
  }

  /** A page of one user's conversations in the asked order, after `lastId` (keyset paging; one more row tells `hasMore`). */
  async listConversations(
    workspaceId: string,
    appId: string,
    endUserId: string,
    opts: { lastId: string | null; limit: number; sort: ConversationSort },
  ): Promise<{ conversations: ConversationRow[]; hasMore: boolean } | null> {
    const column = opts.sort.endsWith('created_at') ? 'created_at' : 'updated_at';
    const descending = opts.sort.startsWith('-');
    const params: unknown[] = [workspaceId, appId, endUserId];
    let after = '';
    if (opts.lastId) {
      const last = await this.findConversation(workspaceId, appId, endUserId, opts.lastId);
      if (!last) return null;
      params.push(column === 'created_at' ? last.createdAt.toISOString() : last.updatedAt.toISOString(), last.id);
      after = ` AND (${column}, id) ${descending ? '<' : '>'} ($4::timestamptz, $5::uuid)`;
    }
    const direction = descending ? 'DESC' : 'ASC';
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.conversations WHERE app_id = $2 AND end_user_id = $3 AND workspace_id = $1${after}
       ORDER BY ${column} ${direction}, id ${direction} LIMIT ${opts.limit + 1}`,
      params,
    );
    return { conversations: rows.slice(0, opts.limit).map(toConversation), hasMore: rows.length > opts.limit };
  }

  /**
   * The console's page of an app's conversations, every end user's, most recently active first, after `lastId`
   * (keyset paging, served by conversations_app_updated_idx); null when `lastId` is no conversation of the app.
   */
  async listAppConversations(
    workspaceId: string,
    appId: string,
    opts: { lastId: string | null; limit: number },
  ): Promise<{ conversations: ConversationRow[]; hasMore: boolean } | null> {
    const params: unknown[] = [workspaceId, appId];
    let after = '';
    if (opts.lastId) {
      const last = await this.findConversation(workspaceId, appId, null, opts.lastId);
      if (!last) return null;
      params.push(last.updatedAt.toISOString(), last.id);
      after = ` AND (updated_at, id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.conversations WHERE workspace_id = $1 AND app_id = $2${after}
       ORDER BY updated_at DESC, id DESC LIMIT ${opts.limit + 1}`,
      params,
    );
    return { conversations: rows.slice(0, opts.limit).map(toConversation), hasMore: rows.length > opts.limit };
  }

  /** Renames a conversation; a user's rename counts as activity (`updated_at`), a generated title does not. */
  async renameConversation(workspaceId: string, id: string, name: string, touch = true): Promise<ConversationRow | null> {
    const rows = await this.db.rows<Record<string, unknown>>(
      `UPDATE orchestrator.conversations SET name = $3${touch ? ', updated_at = now()' : ''} WHERE id = $1 AND workspace_id = $2 RETURNING *`,
      [id, workspaceId, name],
    );
    return rows[0] ? toConversation(rows[0]) : null;
  }

  /** Deletes a conversation with its messages, their feedback and its variables, in one transaction. */
  async deleteConversation(workspaceId: string, id: string): Promise<void> {
    await this.db.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM orchestrator.message_feedbacks WHERE conversation_id = $1 AND workspace_id = $2`, [id, workspaceId]);
      await manager.query(`DELETE FROM orchestrator.messages WHERE conversation_id = $1 AND workspace_id = $2`, [id, workspaceId]);
      await manager.query(`DELETE FROM orchestrator.conversation_variables WHERE conversation_id = $1 AND workspace_id = $2`, [
        id,
        workspaceId,
      ]);
      await manager.query(`DELETE FROM orchestrator.conversations WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
    });
  }

  /** One message of one end user of the app (of any, with `endUserId` null: the console), with its feedback, or null. */
  async findMessage(workspaceId: string, appId: string, endUserId: string | null, id: string): Promise<MessageRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `${MESSAGE_SELECT} WHERE m.id = $1 AND m.workspace_id = $2 AND m.app_id = $3 AND ($4::uuid IS NULL OR m.end_user_id = $4)`,
      [id, workspaceId, appId, endUserId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /** The running message of a turn by its task id, or null when there is none for this user. */
  async findByTask(workspaceId: string, appId: string, endUserId: string, taskId: string): Promise<MessageRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `${MESSAGE_SELECT} WHERE m.task_id = $1 AND m.workspace_id = $2 AND m.app_id = $3 AND m.end_user_id = $4`,
      [taskId, workspaceId, appId, endUserId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /**
   * A page of a conversation's messages going back in time from `firstId` (exclusive), returned oldest
   * first as Dify does; the index on (conversation_id, created_at, id) makes it cost the same at any depth.
   */
  async listMessages(
    conversationId: string,
    workspaceId: string,
    opts: { before: { createdAt: Date; id: string } | null; limit: number },
  ): Promise<{ hasMore: boolean; messages: MessageRow[] }> {
    const params: unknown[] = [conversationId, workspaceId];
    let before = '';
    if (opts.before) {
      params.push(opts.before.createdAt.toISOString(), opts.before.id);
      before = ` AND (m.created_at, m.id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `${MESSAGE_SELECT} WHERE m.conversation_id = $1 AND m.workspace_id = $2${before} ORDER BY m.created_at DESC, m.id DESC LIMIT ${opts.limit + 1}`,
      params,
    );
    return { hasMore: rows.length > opts.limit, messages: rows.slice(0, opts.limit).map(toMessage).reverse() };
  }

  /** The last `limit` finished turns of a conversation, oldest first (a turn still running is not history yet). */
  async history(workspaceId: string, conversationId: string, limit: number): Promise<ConversationTurn[]> {
    const rows: { answer: string; query: string }[] = await this.db.dataSource.query(
      `SELECT query, answer FROM (
         SELECT query, answer, created_at, id FROM orchestrator.messages
         WHERE conversation_id = $1 AND workspace_id = $2 AND status IN ('normal', 'stopped')
         ORDER BY created_at DESC, id DESC LIMIT $3) recent
       ORDER BY created_at, id`,
      [conversationId, workspaceId, limit],
    );
    return rows.map((r) => ({ answer: r.answer, query: r.query }));
  }

  /** The query of a conversation's first message, or null when it has none. */
  async firstQuery(workspaceId: string, conversationId: string): Promise<string | null> {
    const rows: { query: string }[] = await this.db.dataSource.query(
      `SELECT query FROM orchestrator.messages WHERE conversation_id = $1 AND workspace_id = $2 ORDER BY created_at, id LIMIT 1`,
      [conversationId, workspaceId],
    );
    return rows[0]?.query ?? null;
  }

  /** Sets (or with a null rating removes) an end user's feedback on a message. */
  async setFeedback(message: MessageRow, rating: string | null, content: string | null): Promise<void> {
    if (rating === null) {
      await this.db.dataSource.query(`DELETE FROM orchestrator.message_feedbacks WHERE message_id = $1 AND workspace_id = $2`, [
        message.id,
        message.workspaceId,
      ]);
      return;
    }
    await this.db.dataSource.query(
      `INSERT INTO orchestrator.message_feedbacks (message_id, workspace_id, app_id, conversation_id, end_user_id, rating, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, content = excluded.content, updated_at = now()`,
      [message.id, message.workspaceId, message.appId, message.conversationId, message.endUserId, rating, content],
    );
  }

  /** A page of every feedback on an app's messages, newest first (served by message_feedbacks_app_created_idx). */
  async listAppFeedbacks(workspaceId: string, appId: string, limit: number, offset: number): Promise<FeedbackRow[]> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.message_feedbacks WHERE workspace_id = $1 AND app_id = $2
       ORDER BY created_at DESC, message_id DESC LIMIT $3 OFFSET $4`,
      [workspaceId, appId, limit, offset],
    );
    return rows.map((r) => ({
      appId: r['app_id'] as string,
      content: (r['content'] as string | null) ?? null,
      conversationId: (r['conversation_id'] as string | null) ?? null,
      createdAt: date(r['created_at']),
      endUserId: r['end_user_id'] as string,
      messageId: r['message_id'] as string,
      rating: r['rating'] as string,
      updatedAt: date(r['updated_at']),
    }));
  }
}
