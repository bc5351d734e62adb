import { Injectable } from '@nestjs/common';
import {
  RunErrors,
  type AuditEvent,
  type ChatTurn,
  type PageRunsRequest,
  type RunCreator,
  type RunRecord,
  type RunStatus,
} from '@weft/contracts';
import { DatabaseService, containsPattern } from '@weft/persistence';
import type { NodeExecutionRecord, RunResult } from '../engine/engine.types';
import { WriteBatcher } from './write-batcher.util';

/** A run as the orchestrator drives it: the stored row's fields it needs. */
/** A run with this id is already stored (by an earlier attempt of the same start): this start stored nothing. */
export class DuplicateRunError extends Error {
  constructor(readonly runId: string) {
    super(`Run "${runId}" is already stored`);
    this.name = 'DuplicateRunError';
  }
}

export interface RunRow {
  appId: string;
  /** The conversation turn a chat-family run answers; null for workflow apps. */
  chat: ChatTurn | null;
  createdAt: Date;
  createdFrom: string;
  creator: RunCreator;
  files: unknown[];
  id: string;
  inputs: Record<string, unknown>;
  status: RunStatus;
  stopRequested: boolean;
  taskId: string;
  version: string;
  workflowId: string;
  workspaceId: string;
  /** Set when the run has ended; a run that ends before its row is written is inserted finished. */
  result?: RunResult;
  /** Whether the row was inserted already finished (then there is no end to write separately). */
  insertedFinished?: boolean;
  /** The W3C `traceparent` of the run's first span, kept so a resumed run's span links to it (null when tracing was off). */
  traceParent?: string | null;
  /** Whether the app's model names the run's new conversation once the turn ends (not stored: a resumed run does not). */
  nameConversation?: boolean;
  /** The request's `run.started` audit event, written with the row (see RunStartAudits); only at insert. */
  startAudit?: AuditEvent | null;
}

interface PendingInsert {
  /** Set when a run with this id was already stored: this insert changed nothing. */
  duplicate?: boolean;
  leaseMs: number;
  owner: string;
  run: RunRow;
}

interface NodeRow extends NodeExecutionRecord {
  appId: string;
  runId: string;
  workflowId: string;
  workspaceId: string;
}

interface FinishRow extends RunResult {
  id: string;
}

const RUN_COLUMNS = `id uuid, workspace_id uuid, app_id uuid, workflow_id uuid, task_id uuid, version text, triggered_from text,
  created_from text, inputs jsonb, files jsonb, status text, created_by_role text, created_by_account_id text,
  created_by_end_user_id text, created_by_end_user_session_id text, created_at timestamptz, lease_owner text, lease_expires_at timestamptz,
  outputs jsonb, error text, elapsed_time double precision, total_tokens bigint, total_steps integer, exceptions_count integer,
  finished_at timestamptz, chat jsonb, start_audit jsonb, trace_parent text`;

const NODE_COLUMNS = `id uuid, workspace_id uuid, app_id uuid, workflow_id uuid, workflow_run_id uuid, index integer,
  predecessor_node_id text, node_id text, node_type text, title text, inputs jsonb, process_data jsonb, outputs jsonb,
  status text, error text, edge_source_handle text, elapsed_time double precision, execution_metadata jsonb,
  created_at timestamptz, finished_at timestamptz`;

const FINISH_COLUMNS = `id uuid, status text, outputs jsonb, error text, elapsed_time double precision, total_tokens bigint,
  total_steps integer, exceptions_count integer, finished_at timestamptz`;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Runs and node executions in Postgres. Writes from concurrent runs are batched per tick into one
 * `jsonb_to_recordset` statement per kind; every caller still waits for its own row to be stored.
 */
@Injectable()
export class RunRepository {
  private readonly runInserts = new WriteBatcher<PendingInsert>((rows) => this.insertRuns(rows));
  private readonly nodeWrites = new WriteBatcher<NodeRow>((rows) => this.upsertNodes(rows));
  private readonly finishes = new WriteBatcher<FinishRow>((rows) => this.finishRuns(rows));

  constructor(private readonly db: DatabaseService) {}

  /**
   * Stores a new run leased to `owner` for `leaseMs`. The row is built when the batch is written: a run
   * that has already ended by then (pure nodes finish within the tick) is inserted finished, with no lease,
   * and `insertedFinished` says so.
   */
  async insertRun(run: RunRow, owner: string, leaseMs: number): Promise<void> {
    const pending: PendingInsert = { leaseMs, owner, run };
    await this.runInserts.add(pending);
    if (pending.duplicate) throw new DuplicateRunError(run.id);
  }

  /** Stores a node execution (insert, or update of the same execution id). */
  saveNode(run: Pick<RunRow, 'id' | 'appId' | 'workflowId' | 'workspaceId'>, record: NodeExecutionRecord): Promise<void> {
    return this.nodeWrites.add({ ...record, appId: run.appId, runId: run.id, workflowId: run.workflowId, workspaceId: run.workspaceId });
  }

  /** Stores a run's terminal state and releases its lease. */
  finishRun(id: string, result: RunResult): Promise<void> {
    return this.finishes.add({ id, ...result });
  }

  /** Extends the leases of the runs this owner drives. */
  async renewLeases(ids: string[], owner: string, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.dataSource.query(
      `UPDATE orchestrator.workflow_runs SET lease_expires_at = now() + ($3 || ' milliseconds')::interval
       WHERE id = ANY($1::uuid[]) AND lease_owner = $2 AND status = 'running'`,
      [ids, owner, String(leaseMs)],
    );
  }

  /** Takes over running runs whose lease expired (their orchestrator died), at most `limit` at a time. */
  async claimExpiredLeases(owner: string, leaseMs: number, limit: number): Promise<RunRow[]> {
    const rows = await this.db.rows(
      `UPDATE orchestrator.workflow_runs r SET lease_owner = $1, lease_expires_at = now() + ($2 || ' milliseconds')::interval
       WHERE r.id IN (
         SELECT id FROM orchestrator.workflow_runs
         WHERE status = 'running' AND lease_expires_at < now()
         ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING r.*`,
      [owner, String(leaseMs), limit],
    );
    return rows.map(toRunRow);
  }

  /**
   * The node executions of a run in start order, live or archived (the archive job moves a run and its node
   * runs in one transaction, so they are all in one place).
   */
  async nodesOf(runId: string): Promise<NodeExecutionRecord[]> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.workflow_node_executions WHERE workflow_run_id = $1
       UNION ALL SELECT * FROM orchestrator.workflow_node_executions_archive WHERE workflow_run_id = $1
       ORDER BY index`,
      [runId],
    );
    return rows.map(toNodeRecord);
  }

  /** Closes node executions left running by an orchestrator that died; the resumed run executes those nodes again. */
  async interruptRunningNodes(runId: string): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE orchestrator.workflow_node_executions SET status = 'failed', error = 'Interrupted: the orchestrator running it stopped; the node ran again.', finished_at = now()
       WHERE workflow_run_id = $1 AND status = 'running'`,
      [runId],
    );
  }

  /**
   * Marks the running run with this task id (started by this end user, when one is named) as to be
   * stopped; returns its id, or null when there is none.
   */
  async requestStop(workspaceId: string, appId: string, taskId: string, endUserId: string | null = null): Promise<string | null> {
    const rows = await this.db.rows<{ id: string }>(
      `UPDATE orchestrator.workflow_runs SET stop_requested = true
       WHERE task_id = $1 AND workspace_id = $2 AND app_id = $3 AND status = 'running' AND ($4::text IS NULL OR created_by_end_user_id = $4) RETURNING id`,
      [taskId, workspaceId, appId, endUserId],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * One run of one app of one workspace, live or archived, or null: as the API shows it (`record`) and as
   * the engine holds it (`row`, with how it ended once it has), from one query.
   */
  async findStoredRun(workspaceId: string, appId: string, runId: string): Promise<{ record: RunRecord; row: RunRow } | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM orchestrator.workflow_runs WHERE id = $1 AND workspace_id = $2 AND app_id = $3
       UNION ALL SELECT * FROM orchestrator.workflow_runs_archive WHERE id = $1 AND workspace_id = $2 AND app_id = $3
       LIMIT 1`,
      [runId, workspaceId, appId],
    );
    if (!rows[0]) return null;
    const row = toRunRow(rows[0]);
    if (row.status !== 'running') row.result = toRunResult(rows[0]);
    return { record: toRunRecord(rows[0]), row };
  }

  /** One run of one app of one workspace, live or archived, or null. */
  async findRun(workspaceId: string, appId: string, runId: string): Promise<RunRecord | null> {
    return (await this.findStoredRun(workspaceId, appId, runId))?.record ?? null;
  }

  /** A page of an app's runs, live and archived (Dify keeps its logs), newest first, with the total matching. */
  async listRuns(filter: {
    appId: string;
    createdAfter: string | null;
    createdBefore: string | null;
    createdByAccountId?: string | null;
    endUserSessionId: string | null;
    keyword: string | null;
    limit: number;
    page: number;
    status: string | null;
    workspaceId: string;
  }): Promise<{ runs: RunRecord[]; total: number }> {
    const where = ['workspace_id = $1', 'app_id = $2'];
    const params: unknown[] = [filter.workspaceId, filter.appId];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replaceAll('?', `$${params.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.createdAfter) add('created_at >= ?', filter.createdAfter);
    if (filter.createdBefore) add('created_at <= ?', filter.createdBefore);
    if (filter.endUserSessionId) add('created_by_end_user_session_id = ?', filter.endUserSessionId);
    if (filter.createdByAccountId) add('created_by_account_id = ?', filter.createdByAccountId);
    if (filter.keyword) add(`(inputs::text ILIKE ? OR coalesce(outputs::text, '') ILIKE ?)`, containsPattern(filter.keyword));
    const clause = where.join(' AND ');
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(
        `SELECT * FROM orchestrator.workflow_runs WHERE ${clause}
         UNION ALL SELECT * FROM orchestrator.workflow_runs_archive WHERE ${clause}
         ORDER BY created_at DESC, id DESC LIMIT ${filter.limit} OFFSET ${(filter.page - 1) * filter.limit}`,
        params,
      ) as Promise<Record<string, unknown>[]>,
      this.db.dataSource.query(
        `SELECT ((SELECT count(*) FROM orchestrator.workflow_runs WHERE ${clause}) + (SELECT count(*) FROM orchestrator.workflow_runs_archive WHERE ${clause}))::int AS total`,
        params,
      ) as Promise<{ total: number }[]>,
    ]);
    return { runs: rows.map(toRunRecord), total: count[0]?.total ?? 0 };
  }

  /**
   * The console's page of an app's runs, live and archived, newest first, after the run `lastId` (keyset on
   * (created_at, id): a deep page costs what the first does). Each table is limited on its own, through the
   * indexes of migration 1765500000000, before the two are merged. Another app's or workspace's `lastId` is
   * an unknown run.
   */
  async pageRuns(filter: PageRunsRequest): Promise<{ hasMore: boolean; runs: RunRecord[] }> {
    const where = ['workspace_id = $1', 'app_id = $2'];
    const params: unknown[] = [filter.workspaceId, filter.appId];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replaceAll('?', `$${params.length}`));
    };
    if (filter.lastId) {
      const cursor = await this.db.rows<{ created_at: string }>(
        `SELECT created_at::text AS created_at FROM orchestrator.workflow_runs WHERE id = $1 AND workspace_id = $2 AND app_id = $3
         UNION ALL SELECT created_at::text FROM orchestrator.workflow_runs_archive WHERE id = $1 AND workspace_id = $2 AND app_id = $3
         LIMIT 1`,
        [filter.lastId, filter.workspaceId, filter.appId],
      );
      if (!cursor[0]) throw RunErrors.notFound();
      params.push(cursor[0].created_at, filter.lastId);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    if (filter.status) add('status = ?', filter.status);
    if (filter.createdAfter !== null) add('created_at >= to_timestamp(?)', filter.createdAfter);
    if (filter.createdBefore !== null) add('created_at < to_timestamp(?::bigint + 1)', filter.createdBefore);
    if (filter.endUser) add('(created_by_end_user_session_id = ? OR created_by_end_user_id = ?)', filter.endUser);
    if (filter.keyword) add(`inputs::text ILIKE ?`, containsPattern(filter.keyword));
    const clause = where.join(' AND ');
    const take = filter.limit + 1;
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT * FROM (
         (SELECT * FROM orchestrator.workflow_runs WHERE ${clause} ORDER BY created_at DESC, id DESC LIMIT ${take})
         UNION ALL
         (SELECT * FROM orchestrator.workflow_runs_archive WHERE ${clause} ORDER BY created_at DESC, id DESC LIMIT ${take})
       ) r ORDER BY created_at DESC, id DESC LIMIT ${take}`,
      params,
    );
    return { hasMore: rows.length > filter.limit, runs: rows.slice(0, filter.limit).map(toRunRecord) };
  }

  /** Clears the `run.started` events of runs whose event the trail has (sent on by RunStartAudits). */
  async clearStartAudits(runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return;
    await this.db.rows(`UPDATE orchestrator.workflow_runs SET start_audit = NULL WHERE id = ANY($1::uuid[]) AND start_audit IS NOT NULL`, [
      runIds,
    ]);
  }

  /**
   * Sends with `send` the `run.started` events still held by runs created more than `olderThanMs` ago (their
   * orchestrator died before sending them, or NATS did not take them), oldest first, at most `limit`, and clears
   * those sent, in one transaction; rows another orchestrator is sweeping are skipped. Answers how many were sent.
   */
  async sendLeftoverStartAudits(olderThanMs: number, limit: number, send: (event: AuditEvent) => Promise<void>): Promise<number> {
    return this.db.dataSource.transaction(async (m) => {
      const rows = await this.db.rowsIn<{ event: AuditEvent; id: string }>(
        m,
        `SELECT id, start_audit AS event FROM orchestrator.workflow_runs
          WHERE start_audit IS NOT NULL AND created_at < now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [olderThanMs, limit],
      );
      for (const row of rows) await send(row.event);
      if (rows.length > 0)
        await this.db.rowsIn(m, `UPDATE orchestrator.workflow_runs SET start_audit = NULL WHERE id = ANY($1::uuid[])`, [
          rows.map((r) => r.id),
        ]);
      return rows.length;
    });
  }

  private async insertRuns(pending: PendingInsert[]): Promise<void> {
    // Only runs whose end is in the rows written count as inserted finished: a run that ends while the
    // insert is under way must still have its end written by finishRun.
    const endedInRows = pending.filter((p) => p.run.result !== undefined);
    const rows = pending.map(({ leaseMs, owner, run }) => {
      const result = run.result;
      return {
        app_id: run.appId,
        chat: run.chat,
        created_at: run.createdAt.toISOString(),
        created_by_account_id: run.creator.accountId,
        created_by_end_user_id: run.creator.endUserId,
        created_by_end_user_session_id: run.creator.sessionId,
        created_by_role: run.creator.role,
        created_from: run.createdFrom,
        elapsed_time: result?.elapsedTime ?? 0,
        error: result?.error ?? null,
        exceptions_count: result?.exceptionsCount ?? 0,
        files: run.files,
        finished_at: result ? iso(result.finishedAt) : null,
        id: run.id,
        inputs: run.inputs,
        lease_expires_at: result ? null : new Date(Date.now() + leaseMs).toISOString(),
        lease_owner: result ? null : owner,
        outputs: result?.outputs ?? null,
        status: result?.status ?? 'running',
        task_id: run.taskId,
        total_steps: result?.totalSteps ?? 0,
        total_tokens: result?.totalTokens ?? 0,
        trace_parent: run.traceParent ?? null,
        triggered_from: 'app-run',
        version: run.version,
        workflow_id: run.workflowId,
        workspace_id: run.workspaceId,
        start_audit: run.startAudit ?? null,
      };
    });
    // The primary key decides which of two starts of the same run id stores it (a start sent again by the gateway
    // while the first orchestrator was slow); the other learns it here, in the same round trip.
    const inserted: { id: string }[] = await this.db.dataSource.query(
      `INSERT INTO orchestrator.workflow_runs (id, workspace_id, app_id, workflow_id, task_id, version, triggered_from, created_from,
         inputs, files, status, created_by_role, created_by_account_id, created_by_end_user_id, created_by_end_user_session_id,
         created_at, lease_owner, lease_expires_at, outputs, error, elapsed_time, total_tokens, total_steps, exceptions_count, finished_at, chat,
         start_audit, trace_parent)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${RUN_COLUMNS})
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [JSON.stringify(rows)],
    );
    const stored = new Set(inserted.map((r) => r.id));
    // Two starts of one id in the same batch: the first one stores it.
    const claimed = new Set<string>();
    for (const p of pending) {
      if (!stored.has(p.run.id) || claimed.has(p.run.id)) p.duplicate = true;
      claimed.add(p.run.id);
    }
    for (const p of endedInRows) if (!p.duplicate) p.run.insertedFinished = true;
  }

  private async upsertNodes(rows: NodeRow[]): Promise<void> {
    // The same execution may be queued twice in one tick (running, then finished): keep the last.
    const latest = new Map(rows.map((r) => [r.id, r]));
    const json = [...latest.values()].map((r) => ({
      app_id: r.appId,
      created_at: iso(r.createdAt),
      edge_source_handle: r.edgeSourceHandle,
      elapsed_time: r.elapsedTime,
      error: r.error,
      execution_metadata: r.executionMetadata,
      finished_at: iso(r.finishedAt),
      id: r.id,
      index: r.index,
      inputs: r.inputs,
      node_id: r.nodeId,
      node_type: r.nodeType,
      outputs: r.outputs,
      predecessor_node_id: r.predecessorNodeId,
      process_data: r.processData,
      status: r.status,
      title: r.title,
      workflow_id: r.workflowId,
      workflow_run_id: r.runId,
      workspace_id: r.workspaceId,
    }));
    await this.db.dataSource.query(
      `INSERT INTO orchestrator.workflow_node_executions (id, workspace_id, app_id, workflow_id, workflow_run_id, index,
         predecessor_node_id, node_id, node_type, title, inputs, process_data, outputs, status, error, edge_source_handle,
         elapsed_time, execution_metadata, created_at, finished_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${NODE_COLUMNS})
       ON CONFLICT (id) DO UPDATE SET inputs = excluded.inputs, process_data = excluded.process_data, outputs = excluded.outputs,
         status = excluded.status, error = excluded.error, edge_source_handle = excluded.edge_source_handle,
         elapsed_time = excluded.elapsed_time, execution_metadata = excluded.execution_metadata, finished_at = excluded.finished_at`,
      [JSON.stringify(json)],
    );
  }

  private async finishRuns(rows: FinishRow[]): Promise<void> {
    const json = rows.map((r) => ({
      elapsed_time: r.elapsedTime,
      error: r.error,
      exceptions_count: r.exceptionsCount,
      finished_at: iso(r.finishedAt),
      id: r.id,
      outputs: r.outputs,
      status: r.status,
      total_steps: r.totalSteps,
      total_tokens: r.totalTokens,
    }));
    await this.db.dataSource.query(
      `UPDATE orchestrator.workflow_runs r SET status = t.status, outputs = t.outputs, error = t.error, elapsed_time = t.elapsed_time,
         total_tokens = t.total_tokens, total_steps = t.total_steps, exceptions_count = t.exceptions_count,
         finished_at = t.finished_at, lease_owner = NULL, lease_expires_at = NULL
       FROM jsonb_to_recordset($1::jsonb) AS t(${FINISH_COLUMNS})
       WHERE r.id = t.id AND r.status = 'running'`,
      [JSON.stringify(json)],
    );
  }
}

function epoch(value: unknown): number {
  return Math.floor(new Date(value as string).getTime() / 1000);
}

function toRunRow(r: Record<string, unknown>): RunRow {
  return {
    appId: r['app_id'] as string,
    chat: (r['chat'] as ChatTurn | null) ?? null,
    createdAt: new Date(r['created_at'] as string),
    createdFrom: r['created_from'] as string,
    creator: {
      accountId: (r['created_by_account_id'] as string | null) ?? null,
      endUserId: (r['created_by_end_user_id'] as string | null) ?? null,
      role: r['created_by_role'] as 'account' | 'end_user',
      sessionId: (r['created_by_end_user_session_id'] as string | null) ?? null,
    },
    files: (r['files'] as unknown[]) ?? [],
    id: r['id'] as string,
    inputs: (r['inputs'] as Record<string, unknown>) ?? {},
    status: r['status'] as RunStatus,
    stopRequested: r['stop_requested'] === true,
    taskId: r['task_id'] as string,
    traceParent: (r['trace_parent'] as string | null | undefined) ?? null,
    version: r['version'] as string,
    workflowId: r['workflow_id'] as string,
    workspaceId: r['workspace_id'] as string,
  };
}

function toRunResult(r: Record<string, unknown>): RunResult {
  return {
    elapsedTime: Number(r['elapsed_time'] ?? 0),
    error: (r['error'] as string | null) ?? null,
    exceptionsCount: Number(r['exceptions_count'] ?? 0),
    finishedAt: r['finished_at'] ? new Date(r['finished_at'] as string).getTime() : Date.now(),
    outputs: (r['outputs'] as Record<string, unknown> | null) ?? {},
    status: r['status'] as RunResult['status'],
    totalSteps: Number(r['total_steps'] ?? 0),
    totalTokens: Number(r['total_tokens'] ?? 0),
  };
}

function toRunRecord(r: Record<string, unknown>): RunRecord {
  return {
    created_at: epoch(r['created_at']),
    created_by_account_id: (r['created_by_account_id'] as string | null) ?? null,
    created_by_end_user_id: (r['created_by_end_user_id'] as string | null) ?? null,
    created_by_end_user_session_id: (r['created_by_end_user_session_id'] as string | null) ?? null,
    created_by_role: r['created_by_role'] as 'account' | 'end_user',
    created_from: r['created_from'] as string,
    elapsed_time: Number(r['elapsed_time'] ?? 0),
    error: (r['error'] as string | null) ?? null,
    exceptions_count: Number(r['exceptions_count'] ?? 0),
    finished_at: r['finished_at'] ? epoch(r['finished_at']) : null,
    id: r['id'] as string,
    inputs: (r['inputs'] as Record<string, unknown>) ?? {},
    outputs: (r['outputs'] as Record<string, unknown> | null) ?? null,
    status: r['status'] as RunStatus,
    task_id: r['task_id'] as string,
    total_steps: Number(r['total_steps'] ?? 0),
    total_tokens: Number(r['total_tokens'] ?? 0),
    trace_parent: (r['trace_parent'] as string | null | undefined) ?? null,
    triggered_from: (r['triggered_from'] as string | undefined) ?? 'app-run',
    version: r['version'] as string,
    workflow_id: r['workflow_id'] as string,
  };
}

function toNodeRecord(r: Record<string, unknown>): NodeExecutionRecord {
  const ms = (v: unknown) => (v ? new Date(v as string).getTime() : null);
  return {
    createdAt: ms(r['created_at']) ?? 0,
    edgeSourceHandle: (r['edge_source_handle'] as string | null) ?? null,
    elapsedTime: Number(r['elapsed_time'] ?? 0),
    error: (r['error'] as string | null) ?? null,
    executionMetadata: (r['execution_metadata'] as Record<string, unknown> | null) ?? null,
    finishedAt: ms(r['finished_at']),
    id: r['id'] as string,
    index: Number(r['index']),
    inputs: (r['inputs'] as Record<string, unknown> | null) ?? null,
    nodeId: r['node_id'] as string,
    nodeType: r['node_type'] as string,
    outputs: (r['outputs'] as Record<string, unknown> | null) ?? null,
    predecessorNodeId: (r['predecessor_node_id'] as string | null) ?? null,
    processData: (r['process_data'] as Record<string, unknown> | null) ?? null,
    status: r['status'] as NodeExecutionRecord['status'],
    title: r['title'] as string,
  };
}
