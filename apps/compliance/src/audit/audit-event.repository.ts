import { Injectable } from '@nestjs/common';
import { AuditEvent, DomainError, ListAuditLogsRequest } from '@weft/contracts';
import { DatabaseService, inShortTransaction, type TransactionQuery } from '@weft/persistence';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import {
  ChainVerifier,
  GENESIS_HASH,
  recordHash,
  workspaceLinkHash,
  WorkspaceChainVerifier,
  type ChainBreak,
  type ChainedFields,
  type ChainPosition,
  type WorkspaceLink,
} from './audit-chain.util';
import { AuditSealer, type AuditAnchor, type SealCheck, type WorkspaceHeadAnchor } from './audit-seal.util';

const EVENTS = '"compliance"."audit_events"';
const HEAD = '"compliance"."audit_chain_head"';
const CHECKPOINTS = '"compliance"."audit_checkpoints"';
const WORKSPACE_HEADS = '"compliance"."audit_workspace_heads"';
const COLUMNS = [
  'id',
  'occurred_at',
  'received_at',
  'service',
  'actor_type',
  'actor_id',
  'workspace_id',
  'action',
  'resource_type',
  'resource_id',
  'outcome',
  'ip',
  'user_agent',
  'correlation_id',
  'details',
  'seq',
  'prev_hash',
  'hash',
  'workspace_seq',
  'workspace_prev_hash',
  'workspace_hash',
] as const;

/** A stored record as read back from Postgres. */
export interface StoredRecordRow {
  action: string;
  actor_id: string | null;
  actor_type: string;
  correlation_id: string | null;
  details: Record<string, unknown>;
  hash: string;
  id: string;
  ip: string | null;
  occurred_at: Date;
  outcome: string;
  prev_hash: string;
  received_at: Date;
  resource_id: string | null;
  resource_type: string;
  seq: string;
  service: string;
  user_agent: string | null;
  workspace_hash: string | null;
  workspace_id: string | null;
  workspace_prev_hash: string | null;
  workspace_seq: string | null;
}

/** A workspace chain's head while a batch is appended: where it stands, and whether its seal checked out. */
interface WorkspaceHeadState {
  check: SealCheck;
  firstPrevHash: string;
  firstSeq: number;
  lastHash: string;
  lastSeq: number;
  seal: string | null;
}

/** A workspace's head row as stored. */
interface WorkspaceHeadRow {
  first_prev_hash: string;
  first_seq: string;
  last_hash: string;
  last_seq: string;
  seal: string | null;
  workspace_id: string;
}

/** The anchor a workspace head row seals. */
export function workspaceAnchorOf(
  r: Pick<WorkspaceHeadRow, 'first_prev_hash' | 'first_seq' | 'last_hash' | 'last_seq' | 'workspace_id'>,
): WorkspaceHeadAnchor {
  return {
    firstPrevHash: r.first_prev_hash,
    firstSeq: Number(r.first_seq),
    kind: 'workspace_head',
    lastHash: r.last_hash,
    lastSeq: Number(r.last_seq),
    workspaceId: r.workspace_id,
  };
}

/** The fields a record's workspace link covers, with its global ones, from a stored row of a workspace. */
export function workspaceFieldsOf(r: StoredRecordRow): ChainedFields & WorkspaceLink & { hash: string; workspaceHash: string } {
  return {
    ...chainedFieldsOf(r),
    workspaceHash: r.workspace_hash ?? '',
    workspaceId: r.workspace_id ?? '',
    workspacePrevHash: r.workspace_prev_hash ?? '',
    workspaceSeq: Number(r.workspace_seq),
  };
}

/** The fields the hash covers, from a stored row. */
export function chainedFieldsOf(r: StoredRecordRow): ChainedFields & { hash: string } {
  return {
    action: r.action,
    actorId: r.actor_id,
    actorType: r.actor_type,
    correlationId: r.correlation_id,
    details: r.details,
    hash: r.hash,
    id: r.id,
    ip: r.ip,
    occurredAt: r.occurred_at,
    outcome: r.outcome,
    prevHash: r.prev_hash,
    receivedAt: r.received_at,
    resourceId: r.resource_id,
    resourceType: r.resource_type,
    seq: Number(r.seq),
    service: r.service,
    userAgent: r.user_agent,
    workspaceId: r.workspace_id,
  };
}

/** Where the kept chain begins: the newest retention checkpoint, or the genesis. */
export interface ChainStart extends ChainPosition {
  fromCheckpoint: boolean;
  /** The checkpoint's seal (null for the genesis, or a checkpoint not sealed yet). */
  seal: string | null;
}

/** Result of one pruning batch. */
export interface PruneBatchResult {
  checkpointSeq: number;
  pruned: number;
}

/**
 * The audit trail's storage: a hash chain in `compliance.audit_events`. Appends lock the chain head row,
 * so replicas append one batch at a time and the chain never forks; an event id already stored is skipped,
 * so a redelivered event stores nothing.
 */
@Injectable()
export class AuditEventRepository {
  constructor(
    private readonly db: DatabaseService,
    private readonly sealer: AuditSealer,
  ) {}

  /**
   * Appends the events not stored yet, in order, in one transaction; says for each whether it was new. A
   * record of a workspace is also linked into that workspace's chain, whose head row is locked (after the
   * global head, in workspace order) and sealed again, unless its seal does not check out: a head whose
   * seal was removed stays unsealed and one with a wrong seal keeps it, so verification still reports it
   * rather than an append blessing it.
   *
   * Four round trips whatever the batch: `BEGIN` with the global head's lock; the workspace heads' locks
   * with the ids already stored (a statement of its own, so it sees every append committed before the head
   * lock was granted); the records, the global head and the workspace heads written by one statement;
   * `COMMIT`.
   */
  async appendBatch(events: AuditEvent[]): Promise<boolean[]> {
    const lockHead = `SELECT last_seq, last_hash FROM ${HEAD} WHERE id = 1 FOR UPDATE`;
    return inShortTransaction(this.db.dataSource, lockHead, async ([head], query) => {
      if (!head) throw new Error('The audit chain head row is missing');
      const { stored: seen, workspaceHeads } = await this.lockWorkspaceHeadsAndFindStored(query, events);
      const workspaces = new Map<string, WorkspaceHeadState>();
      let seq = Number(head.last_seq);
      let prevHash = head.last_hash as string;
      const receivedAt = new Date();
      const rows: unknown[][] = [];
      const stored = events.map((e) => {
        if (seen.has(e.id)) return false;
        seen.add(e.id);
        seq += 1;
        const fields: ChainedFields = {
          action: e.action,
          actorId: e.actor.id,
          actorType: e.actor.type,
          correlationId: e.correlationId,
          details: e.details,
          id: e.id,
          ip: e.ip,
          occurredAt: new Date(e.occurredAt),
          outcome: e.outcome,
          prevHash,
          receivedAt,
          resourceId: e.resource.id,
          resourceType: e.resource.type,
          seq,
          service: e.service,
          userAgent: e.userAgent,
          workspaceId: e.workspaceId,
        };
        const hash = recordHash(fields);
        let link: [number, string, string] | [null, null, null] = [null, null, null];
        if (e.workspaceId !== null) {
          const workspace = workspaces.get(e.workspaceId) ?? workspaceHeads.get(e.workspaceId)!;
          workspaces.set(e.workspaceId, workspace);
          const place = { hash, workspaceId: e.workspaceId, workspacePrevHash: workspace.lastHash, workspaceSeq: workspace.lastSeq + 1 };
          const workspaceHash = workspaceLinkHash(place);
          link = [place.workspaceSeq, place.workspacePrevHash, workspaceHash];
          workspace.lastSeq = place.workspaceSeq;
          workspace.lastHash = workspaceHash;
        }
        rows.push([
          e.id,
          fields.occurredAt,
          receivedAt,
          e.service,
          e.actor.type,
          e.actor.id,
          e.workspaceId,
          e.action,
          e.resource.type,
          e.resource.id,
          e.outcome,
          e.ip,
          e.userAgent,
          e.correlationId,
          JSON.stringify(e.details),
          seq,
          prevHash,
          hash,
          ...link,
        ]);
        prevHash = hash;
        return true;
      });
      if (rows.length === 0) return stored;
      const parameters: unknown[] = [];
      const param = (value: unknown) => `$${parameters.push(value)}`;
      const placeholders = rows.map(
        (row) => `(${row.map((value, j) => `${param(value)}${COLUMNS[j] === 'details' ? '::jsonb' : ''}`).join(', ')})`,
      );
      const headSeal = this.sealer.seal({ hash: prevHash, kind: 'head', seq });
      const statements = [
        `appended AS (INSERT INTO ${EVENTS} (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${placeholders.join(', ')})`,
        `moved AS (UPDATE ${HEAD} SET last_seq = ${param(seq)}, last_hash = ${param(prevHash)}, seal = ${param(headSeal)}, updated_at = now() WHERE id = 1)`,
      ];
      if (workspaces.size > 0) {
        const values = [...workspaces].map(([workspaceId, w]) => {
          const row = {
            first_prev_hash: w.firstPrevHash,
            first_seq: String(w.firstSeq),
            last_hash: w.lastHash,
            last_seq: String(w.lastSeq),
            workspace_id: workspaceId,
          };
          const seal = w.check === 'ok' ? this.sealer.seal(workspaceAnchorOf(row)) : w.check === 'missing' ? null : w.seal;
          return `(${param(workspaceId)}, ${param(w.firstSeq)}::bigint, ${param(w.firstPrevHash)}, ${param(w.lastSeq)}::bigint, ${param(w.lastHash)}, ${param(seal)}::text)`;
        });
        statements.push(
          `heads AS (INSERT INTO ${WORKSPACE_HEADS} (workspace_id, first_seq, first_prev_hash, last_seq, last_hash, seal) VALUES ${values.join(', ')}
           ON CONFLICT (workspace_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash, seal = excluded.seal, updated_at = now())`,
        );
      }
      await query(`WITH ${statements.join(',\n')} SELECT 1`, parameters);
      return stored;
    });
  }

  /**
   * In one statement: locks the head rows of the workspaces `events` belong to, in workspace order, and
   * finds which of the events are stored already. A workspace with no head yet starts at the genesis (and
   * counts as sealed: its head is made by this append).
   */
  private async lockWorkspaceHeadsAndFindStored(
    query: TransactionQuery,
    events: AuditEvent[],
  ): Promise<{ stored: Set<string>; workspaceHeads: Map<string, WorkspaceHeadState> }> {
    const ids = [...new Set(events.map((e) => e.workspaceId).filter((w): w is string => w !== null))].sort();
    const found = (await query(
      `WITH locked AS (SELECT * FROM ${WORKSPACE_HEADS} WHERE workspace_id = ANY($2::text[]) ORDER BY workspace_id FOR UPDATE)
       SELECT NULL::text AS stored_id, workspace_id, first_seq, first_prev_hash, last_seq, last_hash, seal FROM locked
       UNION ALL
       SELECT id::text, NULL, NULL, NULL, NULL, NULL, NULL FROM ${EVENTS} WHERE id = ANY($1::uuid[])`,
      [events.map((e) => e.id), ids],
    )) as unknown as (WorkspaceHeadRow & { stored_id: string | null })[];
    const stored = new Set<string>();
    const workspaceHeads = new Map<string, WorkspaceHeadState>();
    for (const r of found) {
      if (r.stored_id !== null) {
        stored.add(r.stored_id);
        continue;
      }
      workspaceHeads.set(r.workspace_id, {
        check: this.sealer.check(workspaceAnchorOf(r), r.seal),
        firstPrevHash: r.first_prev_hash,
        firstSeq: Number(r.first_seq),
        lastHash: r.last_hash,
        lastSeq: Number(r.last_seq),
        seal: r.seal,
      });
    }
    for (const id of ids)
      if (!workspaceHeads.has(id))
        workspaceHeads.set(id, { check: 'ok', firstPrevHash: GENESIS_HASH, firstSeq: 1, lastHash: GENESIS_HASH, lastSeq: 0, seal: null });
    return { stored, workspaceHeads };
  }

  /** Walks the whole chain (verifyAuditChain). */
  verify(pageSize = 1000): Promise<ChainVerification> {
    return verifyAuditChain(this.db.dataSource, this.sealer, pageSize);
  }

  /** Walks one workspace's chain (verifyWorkspaceAuditChain). */
  verifyWorkspace(workspaceId: string, pageSize = 1000): Promise<WorkspaceChainVerification> {
    return verifyWorkspaceAuditChain(this.db.dataSource, this.sealer, workspaceId, pageSize);
  }

  /**
   * Deletes the oldest records up to `limit`, as long as they occurred before `cutoff` (stopping at the
   * first newer one, so the kept part stays one unbroken chain), and writes the checkpoint where the kept
   * part begins, in one transaction. The records, and the seal of the checkpoint they start from, are
   * verified first: pruning never erases a broken link.
   */
  async pruneBatch(cutoff: Date, limit: number): Promise<PruneBatchResult | null> {
    return this.db.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL weft.audit_pruning = 'on'`);
      const oldest = (await m.query(`SELECT * FROM ${EVENTS} ORDER BY seq LIMIT $1`, [limit])) as StoredRecordRow[];
      const prefix: StoredRecordRow[] = [];
      for (const row of oldest) {
        if (row.occurred_at >= cutoff) break;
        prefix.push(row);
      }
      if (prefix.length === 0) return null;
      const start = await chainStart(m);
      const forged = start.fromCheckpoint
        ? sealBreak(
            'checkpoint',
            this.sealer.check({ kind: 'checkpoint', prevHash: start.prevHash, seq: start.seq }, start.seal),
            start.seq,
          )
        : null;
      if (forged) throw new Error(`Refusing to prune the audit trail: ${forged.detail}`);
      const last = prefix[prefix.length - 1];
      const verifier = new ChainVerifier(start, { hash: last.hash, seq: Number(last.seq) });
      for (const row of prefix) {
        const broken = verifier.check(chainedFieldsOf(row));
        if (broken)
          throw new Error(`Refusing to prune the audit trail: record ${broken.seq} is broken (${broken.reason}: ${broken.detail})`);
      }
      await this.moveWorkspaceStarts(m, prefix);
      await m.query(`DELETE FROM ${EVENTS} WHERE seq <= $1`, [last.seq]);
      const checkpointSeq = Number(last.seq) + 1;
      await m.query(`INSERT INTO ${CHECKPOINTS} (seq, prev_hash, pruned_count, cutoff, seal) VALUES ($1, $2, $3, $4, $5)`, [
        checkpointSeq,
        last.hash,
        prefix.length,
        cutoff,
        this.sealer.seal({ kind: 'checkpoint', prevHash: last.hash, seq: checkpointSeq }),
      ]);
      return { checkpointSeq, pruned: prefix.length };
    });
  }

  /**
   * Before pruning `prefix`: each workspace with records in it gets its chain's start moved past them, in its
   * head (sealed again). The head's seal and the records' links in the workspace's chain are checked first,
   * like the global ones: pruning never erases a broken link of a workspace either.
   */
  private async moveWorkspaceStarts(m: EntityManager, prefix: StoredRecordRow[]): Promise<void> {
    const byWorkspace = new Map<string, StoredRecordRow[]>();
    for (const row of prefix)
      if (row.workspace_id !== null) byWorkspace.set(row.workspace_id, [...(byWorkspace.get(row.workspace_id) ?? []), row]);
    if (byWorkspace.size === 0) return;
    const heads = (await m.query(`SELECT * FROM ${WORKSPACE_HEADS} WHERE workspace_id = ANY($1::text[]) ORDER BY workspace_id FOR UPDATE`, [
      [...byWorkspace.keys()].sort(),
    ])) as WorkspaceHeadRow[];
    for (const [workspaceId, rows] of byWorkspace) {
      const head = heads.find((h) => h.workspace_id === workspaceId);
      if (!head) throw new Error(`Refusing to prune the audit trail: workspace "${workspaceId}" has records but no chain head`);
      const forged = sealBreak('workspace_head', this.sealer.check(workspaceAnchorOf(head), head.seal), Number(head.last_seq));
      if (forged) throw new Error(`Refusing to prune the audit trail: in workspace "${workspaceId}", ${forged.detail}`);
      const start = { fromCheckpoint: Number(head.first_seq) > 1, prevHash: head.first_prev_hash, seq: Number(head.first_seq) };
      const verifier = new WorkspaceChainVerifier(start, { hash: head.last_hash, seq: Number(head.last_seq) });
      for (const row of rows) {
        const broken = verifier.check(workspaceFieldsOf(row));
        if (broken)
          throw new Error(
            `Refusing to prune the audit trail: record ${broken.seq} of workspace "${workspaceId}" is broken (${broken.reason}: ${broken.detail})`,
          );
      }
      const last = rows[rows.length - 1]!;
      const moved = { ...head, first_prev_hash: last.workspace_hash!, first_seq: String(Number(last.workspace_seq) + 1) };
      await m.query(
        `UPDATE ${WORKSPACE_HEADS} SET first_seq = $2, first_prev_hash = $3, seal = $4, updated_at = now() WHERE workspace_id = $1`,
        [workspaceId, moved.first_seq, moved.first_prev_hash, this.sealer.seal(workspaceAnchorOf(moved))],
      );
    }
  }

  /** One workspace's records, newest first, filtered; `limit + 1` rows are read to learn whether more follow. */
  async list(q: ListAuditLogsRequest): Promise<{ hasMore: boolean; nextCursor: string | null; rows: StoredRecordRow[] }> {
    const where = ['workspace_id = $1'];
    const params: unknown[] = [q.workspaceId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.actorType) add('actor_type = ?', q.actorType);
    if (q.actorId) add('actor_id = ?', q.actorId);
    if (q.action) add('action = ?', q.action);
    if (q.resourceType) add('resource_type = ?', q.resourceType);
    if (q.resourceId) add('resource_id = ?', q.resourceId);
    if (q.start) add('occurred_at >= ?', new Date(q.start));
    if (q.end) add('occurred_at < ?', new Date(q.end));
    if (q.cursor) {
      const cursor = decodeCursor(q.cursor);
      params.push(cursor.occurredAt, cursor.seq);
      where.push(`(occurred_at, seq) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(q.limit + 1);
    const rows = (await this.db.withReplica((m) =>
      m.query(`SELECT * FROM ${EVENTS} WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, seq DESC LIMIT $${params.length}`, params),
    )) as StoredRecordRow[];
    const hasMore = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { hasMore, nextCursor: hasMore && last ? encodeCursor(last.occurred_at, last.seq) : null, rows: page };
  }

  /**
   * Seals a chain kept from before seals existed, at the first start after the upgrade: only when no anchor
   * carries a seal yet (the head unsealed and every checkpoint too). An unsealed anchor beside sealed ones
   * was not left by the upgrade: it is left alone for verification to report (`refused`), never blessed.
   */
  async sealUnsealed(): Promise<{ checkpoints: number[]; head: number | null; refused: boolean }> {
    return this.db.dataSource.transaction(async (m) => {
      const [head] = (await m.query(`SELECT last_seq, last_hash, seal FROM ${HEAD} WHERE id = 1 FOR UPDATE`)) as {
        last_seq: string;
        last_hash: string;
        seal: string | null;
      }[];
      if (!head) throw new Error('The audit chain head row is missing');
      const checkpoints = (await m.query(`SELECT seq, prev_hash, seal FROM ${CHECKPOINTS} ORDER BY seq FOR UPDATE`)) as {
        seq: string;
        prev_hash: string;
        seal: string | null;
      }[];
      const unsealed = checkpoints.filter((c) => c.seal === null);
      if (head.seal === null && unsealed.length === checkpoints.length) {
        for (const c of checkpoints) {
          await m.query(`UPDATE ${CHECKPOINTS} SET seal = $2 WHERE seq = $1`, [
            c.seq,
            this.sealer.seal({ kind: 'checkpoint', prevHash: c.prev_hash, seq: Number(c.seq) }),
          ]);
        }
        const seq = Number(head.last_seq);
        await m.query(`UPDATE ${HEAD} SET seal = $1 WHERE id = 1`, [this.sealer.seal({ hash: head.last_hash, kind: 'head', seq })]);
        return { checkpoints: checkpoints.map((c) => Number(c.seq)), head: seq, refused: false };
      }
      return { checkpoints: [], head: null, refused: head.seal === null || unsealed.length > 0 };
    });
  }

  /** Seals the workspace heads the upgrade made, once (sealPendingWorkspaceHeads). */
  sealPendingWorkspaceHeads(): Promise<{ sealed: number }> {
    return sealPendingWorkspaceHeads(this.db.dataSource, this.sealer);
  }
}

/**
 * Seals the workspace heads the migration that chained the workspaces made (it had no keys), once, at the
 * first start after that upgrade: only while the global head says they are pending. Afterwards a workspace
 * head without a seal was not left by the upgrade, and stays unsealed for verification to report.
 */
export async function sealPendingWorkspaceHeads(source: DataSource, sealer: AuditSealer): Promise<{ sealed: number }> {
  return source.transaction(async (m) => {
    const [head] = (await m.query(`SELECT workspace_heads_pending FROM ${HEAD} WHERE id = 1 FOR UPDATE`)) as {
      workspace_heads_pending: boolean;
    }[];
    if (!head) throw new Error('The audit chain head row is missing');
    if (!head.workspace_heads_pending) return { sealed: 0 };
    const rows = (await m.query(
      `SELECT * FROM ${WORKSPACE_HEADS} WHERE seal IS NULL ORDER BY workspace_id FOR UPDATE`,
    )) as WorkspaceHeadRow[];
    for (const r of rows) {
      await m.query(`UPDATE ${WORKSPACE_HEADS} SET seal = $2 WHERE workspace_id = $1`, [r.workspace_id, sealer.seal(workspaceAnchorOf(r))]);
    }
    await m.query(`UPDATE ${HEAD} SET workspace_heads_pending = false WHERE id = 1`);
    return { sealed: rows.length };
  });
}

/** What walking the whole chain found: the first break (null if none), how many records checked out, the head, where it began. */
export interface ChainVerification {
  broken: ChainBreak | null;
  checked: number;
  head: { hash: string; seq: number };
  start: ChainStart;
}

/** What walking one workspace's chain found, in the workspace's own numbering: nothing of other workspaces. */
export interface WorkspaceChainVerification {
  broken: ChainBreak | null;
  checked: number;
  /** The workspace's last record (its number and workspace hash); `{seq: 0, hash: genesis}` for a workspace with no records. */
  head: { hash: string; seq: number };
  /** Where the workspace's kept chain begins: after pruning (`fromCheckpoint`), its first kept record. */
  start: ChainPosition & { fromCheckpoint: boolean };
}

/** Runs `work` in one read-only repeatable-read snapshot: appends and pruning going on meanwhile do not disturb it. */
async function inSnapshot<T>(source: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = source.createQueryRunner('master');
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query('SET TRANSACTION READ ONLY');
    const result = await work(runner);
    await runner.commitTransaction();
    return result;
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }
}

/**
 * Walks the whole chain in pages of `pageSize` records inside one snapshot, never holding more than a page
 * in memory. A chain that links up is then checked against its seals: the checkpoint it starts from, and the
 * head. For operators: it reads every workspace's records (the platform-wide check).
 */
export function verifyAuditChain(source: DataSource, sealer: AuditSealer, pageSize = 1000): Promise<ChainVerification> {
  return inSnapshot(source, async (runner) => {
    const [head] = (await runner.query(`SELECT last_seq, last_hash, seal FROM ${HEAD} WHERE id = 1`)) as {
      last_seq: string;
      last_hash: string;
      seal: string | null;
    }[];
    if (!head) throw new Error('The audit chain head row is missing');
    const start = await chainStart(runner.manager);
    const headPos = { hash: head.last_hash, seq: Number(head.last_seq) };
    const verifier = new ChainVerifier(start, headPos);
    let after: string | null = null;
    let broken: ChainBreak | null = null;
    while (!broken) {
      const page = (await runner.query(
        after === null ? `SELECT * FROM ${EVENTS} ORDER BY seq LIMIT $1` : `SELECT * FROM ${EVENTS} WHERE seq > $2 ORDER BY seq LIMIT $1`,
        after === null ? [pageSize] : [pageSize, after],
      )) as StoredRecordRow[];
      for (const row of page) {
        broken = verifier.check(chainedFieldsOf(row));
        if (broken) break;
      }
      if (page.length < pageSize) break;
      after = page[page.length - 1].seq;
    }
    broken ??= verifier.finish();
    if (!broken && start.fromCheckpoint)
      broken = sealBreak(
        'checkpoint',
        sealer.check({ kind: 'checkpoint', prevHash: start.prevHash, seq: start.seq }, start.seal),
        start.seq,
      );
    broken ??= sealBreak('head', sealer.check({ hash: headPos.hash, kind: 'head', seq: headPos.seq }, head.seal), headPos.seq);
    return { broken, checked: verifier.count, head: headPos, start };
  });
}

/**
 * Walks one workspace's chain inside one snapshot, in pages of `pageSize` of its records by their place in
 * it, and checks the workspace's head seal (which covers where its kept chain begins and ends). It reads
 * only that workspace's records and head, so what it reports (counts, the first broken record, hashes) is
 * the workspace's own: a break in another workspace's record is not seen here (the platform-wide check finds it).
 */
export function verifyWorkspaceAuditChain(
  source: DataSource,
  sealer: AuditSealer,
  workspaceId: string,
  pageSize = 1000,
): Promise<WorkspaceChainVerification> {
  return inSnapshot(source, async (runner) => {
    const [head] = (await runner.query(`SELECT * FROM ${WORKSPACE_HEADS} WHERE workspace_id = $1`, [workspaceId])) as WorkspaceHeadRow[];
    const start = head
      ? { fromCheckpoint: Number(head.first_seq) > 1, prevHash: head.first_prev_hash, seq: Number(head.first_seq) }
      : { fromCheckpoint: false, prevHash: GENESIS_HASH, seq: 1 };
    const headPos = head ? { hash: head.last_hash, seq: Number(head.last_seq) } : { hash: GENESIS_HASH, seq: 0 };
    const verifier = new WorkspaceChainVerifier(start, headPos);
    let after: string | null = null;
    let broken: ChainBreak | null = null;
    while (!broken) {
      const page = (await runner.query(
        after === null
          ? `SELECT * FROM ${EVENTS} WHERE workspace_id = $1 ORDER BY workspace_seq LIMIT $2`
          : `SELECT * FROM ${EVENTS} WHERE workspace_id = $1 AND workspace_seq > $3 ORDER BY workspace_seq LIMIT $2`,
        after === null ? [workspaceId, pageSize] : [workspaceId, pageSize, after],
      )) as StoredRecordRow[];
      for (const row of page) {
        broken = verifier.check(workspaceFieldsOf(row));
        if (broken) break;
      }
      if (page.length < pageSize) break;
      after = page[page.length - 1].workspace_seq;
    }
    broken ??= verifier.finish();
    if (!broken && head) broken = sealBreak('workspace_head', sealer.check(workspaceAnchorOf(head), head.seal), headPos.seq);
    return { broken, checked: verifier.count, head: headPos, start };
  });
}

async function chainStart(m: EntityManager | QueryRunner['manager']): Promise<ChainStart> {
  const [checkpoint] = (await m.query(`SELECT seq, prev_hash, seal FROM ${CHECKPOINTS} ORDER BY seq DESC LIMIT 1`)) as {
    seq: string;
    prev_hash: string;
    seal: string | null;
  }[];
  return checkpoint
    ? { fromCheckpoint: true, prevHash: checkpoint.prev_hash, seal: checkpoint.seal, seq: Number(checkpoint.seq) }
    : { fromCheckpoint: false, prevHash: GENESIS_HASH, seal: null, seq: 1 };
}

/**
 * `rotate-secrets` for the audit chain: re-seals the head, every checkpoint and every workspace head under
 * the current key, after checking each existing seal with the key it names: a seal that does not check out
 * is never replaced by a good one. Seals already under the current key are left alone, so running it again
 * changes nothing. Workspace heads still waiting for their first seal after the upgrade are left to the
 * service's start.
 */
export async function resealAuditAnchors(source: DataSource, sealer: AuditSealer): Promise<{ resealed: number; scanned: number }> {
  return source.transaction(async (m) => {
    const [head] = (await m.query(`SELECT last_seq, last_hash, seal, workspace_heads_pending FROM ${HEAD} WHERE id = 1 FOR UPDATE`)) as {
      last_seq: string;
      last_hash: string;
      seal: string | null;
      workspace_heads_pending: boolean;
    }[];
    if (!head) throw new Error('The audit chain head row is missing');
    const workspaceHeads = (
      (await m.query(`SELECT * FROM ${WORKSPACE_HEADS} ORDER BY workspace_id FOR UPDATE`)) as WorkspaceHeadRow[]
    ).filter((w) => !(head.workspace_heads_pending && w.seal === null));
    const anchors: { anchor: AuditAnchor; seal: string | null; update: (seal: string) => Promise<unknown> }[] = [
      {
        anchor: { hash: head.last_hash, kind: 'head', seq: Number(head.last_seq) },
        seal: head.seal,
        update: (seal) => m.query(`UPDATE ${HEAD} SET seal = $1 WHERE id = 1`, [seal]),
      },
      ...(
        (await m.query(`SELECT seq, prev_hash, seal FROM ${CHECKPOINTS} ORDER BY seq FOR UPDATE`)) as {
          seq: string;
          prev_hash: string;
          seal: string | null;
        }[]
      ).map((c) => ({
        anchor: { kind: 'checkpoint' as const, prevHash: c.prev_hash, seq: Number(c.seq) },
        seal: c.seal,
        update: (seal: string) => m.query(`UPDATE ${CHECKPOINTS} SET seal = $2 WHERE seq = $1`, [c.seq, seal]),
      })),
      ...workspaceHeads.map((w) => ({
        anchor: workspaceAnchorOf(w),
        seal: w.seal,
        update: (seal: string) => m.query(`UPDATE ${WORKSPACE_HEADS} SET seal = $2 WHERE workspace_id = $1`, [w.workspace_id, seal]),
      })),
    ];
    let resealed = 0;
    for (const { anchor, seal, update } of anchors) {
      const check = sealer.check(anchor, seal);
      if (check !== 'ok')
        throw new Error(
          `Refusing to re-seal the audit chain: ${anchorName(anchor)} has ${check === 'missing' ? 'no seal' : check === 'unknown_key' ? 'a seal under a key no longer configured' : 'a seal that does not match'}`,
        );
      if (sealer.isCurrent(seal)) continue;
      await update(sealer.seal(anchor));
      resealed += 1;
    }
    return { resealed, scanned: anchors.length };
  });
}

/** How a refusal names an anchor: "the checkpoint at record 9", "the head of workspace "w1"". */
function anchorName(anchor: AuditAnchor): string {
  return anchor.kind === 'workspace_head' ? `the head of workspace "${anchor.workspaceId}"` : `the ${anchor.kind} at record ${anchor.seq}`;
}

/** The break a seal that does not check out makes, at the anchor's record. */
function sealBreak(kind: 'checkpoint' | 'head' | 'workspace_head', check: SealCheck, seq: number): ChainBreak | null {
  const what = kind === 'head' ? 'the chain head' : kind === 'workspace_head' ? "the workspace's chain head" : 'the retention checkpoint';
  switch (check) {
    case 'ok':
      return null;
    case 'missing':
      return { detail: `${what} has no seal`, id: null, reason: 'seal_missing', seq };
    case 'unknown_key':
      return {
        detail: `${what} is sealed under a key that is no longer configured (ENCRYPTION_KEYS)`,
        id: null,
        reason: 'seal_key_unknown',
        seq,
      };
    case 'mismatch':
      return {
        detail: `${what}'s seal does not match it: the chain was rewritten in the database`,
        id: null,
        reason: 'seal_mismatch',
        seq,
      };
  }
}

/** The cursor names the last record shown (time and sequence number); clients treat it as opaque. */
export function encodeCursor(occurredAt: Date, seq: string): string {
  return Buffer.from(`${occurredAt.toISOString()}|${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { occurredAt: Date; seq: string } {
  const [time, seq, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const occurredAt = new Date(time ?? '');
  if (rest.length > 0 || !seq || !/^\d{1,18}$/.test(seq) || Number.isNaN(occurredAt.getTime()))
    throw new DomainError('invalid_param', 'cursor: not a cursor this API returned');
  return { occurredAt, seq };
}
