import { Injectable } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import type { EntityManager } from 'typeorm';

/** Where a batch ended, in the (created_at, id) order the jobs walk; the next batch starts after it. */
export interface BatchKey {
  /** Postgres's own text of the timestamp: a Date would drop its microseconds. */
  createdAt: string;
  id: string;
}

/** What one batch moved or deleted. `next` is null when the batch was the last one. */
export interface BatchResult {
  next: BatchKey | null;
  nodeRuns: number;
  runs: number;
}

/** Which pair of tables a retention batch deletes from. */
export type RunTables = 'live' | 'archive';

const TABLES: Record<RunTables, { nodes: string; runs: string }> = {
  archive: { nodes: 'orchestrator.workflow_node_executions_archive', runs: 'orchestrator.workflow_runs_archive' },
  live: { nodes: 'orchestrator.workflow_node_executions', runs: 'orchestrator.workflow_runs' },
};

const START: BatchKey = { createdAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

interface BatchRow {
  last_created_at: string | null;
  last_id: string | null;
  node_runs: number;
  runs: number;
}

/**
 * The SQL of the archive and retention jobs. Each batch is one statement, so one short transaction: it
 * locks the batch's runs (skipping any another transaction holds), moves or deletes their node runs and
 * them, and nothing else. Live writes touch other rows and never wait for it.
 */
@Injectable()
export class RunArchiveRepository {
  constructor(private readonly db: DatabaseService) {}

  /** The key before every row: where a job's first batch starts. */
  static readonly start = START;

  /**
   * Moves up to `limit` finished runs created before `cutoff` (and after `after`, in (created_at, id)
   * order), with their node runs, from the live tables to the archive tables. A running run never moves.
   */
  async archiveBatch(manager: EntityManager, cutoff: Date, after: BatchKey, limit: number): Promise<BatchResult> {
    const [row] = await this.db.rowsIn<BatchRow>(
      manager,
      `WITH picked AS MATERIALIZED (
         SELECT id, created_at FROM orchestrator.workflow_runs
         WHERE created_at < $1 AND (created_at, id) > ($2::timestamptz, $3::uuid) AND status <> 'running'
         ORDER BY created_at, id
         LIMIT $4
         FOR UPDATE SKIP LOCKED
       ), moved_nodes AS (
         DELETE FROM orchestrator.workflow_node_executions n USING picked p WHERE n.workflow_run_id = p.id RETURNING n.*
       ), archived_nodes AS (
         INSERT INTO orchestrator.workflow_node_executions_archive SELECT * FROM moved_nodes
       ), moved_runs AS (
         DELETE FROM orchestrator.workflow_runs r USING picked p WHERE r.id = p.id RETURNING r.*
       ), archived_runs AS (
         INSERT INTO orchestrator.workflow_runs_archive SELECT * FROM moved_runs
       ), last AS (
         SELECT created_at, id FROM picked ORDER BY created_at DESC, id DESC LIMIT 1
       )
       SELECT (SELECT count(*)::int FROM moved_runs) AS runs, (SELECT count(*)::int FROM moved_nodes) AS node_runs,
         (SELECT created_at::text FROM last) AS last_created_at, (SELECT id FROM last) AS last_id`,
      [cutoff.toISOString(), after.createdAt, after.id, limit],
    );
    return toResult(row!, limit);
  }

  /**
   * Deletes up to `limit` runs (with their node runs) from the live or the archive tables that are older than
   * their workspace's retention period (its own, or `defaultDays`) at `now`, skipping workspaces under legal
   * hold and running runs.
   */
  async deleteExpiredBatch(
    manager: EntityManager,
    tables: RunTables,
    now: Date,
    defaultDays: number,
    after: BatchKey,
    limit: number,
  ): Promise<BatchResult> {
    const { nodes, runs } = TABLES[tables];
    const [row] = await this.db.rowsIn<BatchRow>(
      manager,
      // The first bound (the latest cutoff any workspace has) lets the scan use the (created_at, id) index;
      // the second applies each workspace's own period.
      `WITH picked AS MATERIALIZED (
         SELECT r.id, r.created_at FROM ${runs} r
         LEFT JOIN orchestrator.workspace_retention w ON w.workspace_id = r.workspace_id
         WHERE r.created_at < $1::timestamptz - make_interval(days => LEAST($2::int, coalesce((SELECT min(retention_days) FROM orchestrator.workspace_retention), $2::int)))
           AND r.created_at < $1::timestamptz - make_interval(days => coalesce(w.retention_days, $2::int))
           AND (r.created_at, r.id) > ($3::timestamptz, $4::uuid)
           AND r.status <> 'running'
           AND NOT EXISTS (SELECT 1 FROM orchestrator.legal_holds h WHERE h.workspace_id = r.workspace_id)
         ORDER BY r.created_at, r.id
         LIMIT $5
         FOR UPDATE OF r SKIP LOCKED
       ), deleted_nodes AS (
         DELETE FROM ${nodes} n USING picked p WHERE n.workflow_run_id = p.id RETURNING 1
       ), deleted_runs AS (
         DELETE FROM ${runs} r USING picked p WHERE r.id = p.id RETURNING 1
       ), last AS (
         SELECT created_at, id FROM picked ORDER BY created_at DESC, id DESC LIMIT 1
       )
       SELECT (SELECT count(*)::int FROM deleted_runs) AS runs, (SELECT count(*)::int FROM deleted_nodes) AS node_runs,
         (SELECT created_at::text FROM last) AS last_created_at, (SELECT id FROM last) AS last_id`,
      [now.toISOString(), defaultDays, after.createdAt, after.id, limit],
    );
    return toResult(row!, limit);
  }
}

function toResult(row: BatchRow, limit: number): BatchResult {
  const full = row.runs >= limit && row.last_id !== null && row.last_created_at !== null;
  return { next: full ? { createdAt: row.last_created_at!, id: row.last_id! } : null, nodeRuns: row.node_runs, runs: row.runs };
}
