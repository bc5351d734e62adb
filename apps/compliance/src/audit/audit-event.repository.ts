import { Injectable } from '@nestjs/common';
import { AuditEvent, DomainError, ListAuditLogsRequest } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { ChainVerifier, GENESIS_HASH, recordHash, type ChainBreak, type ChainedFields, type ChainPosition } from './audit-chain.util';
import { AuditSealer, type AuditAnchor, type SealCheck } from './audit-seal.util';

const EVENTS = '"compliance"."audit_events"';
const HEAD = '"compliance"."audit_chain_head"';
const CHECKPOINTS = '"compliance"."audit_checkpoints"';
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
  workspace_id: string | null;
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

  /** Appends the events not stored yet, in order, in one transaction; says for each whether it was new. */
  async appendBatch(events: AuditEvent[]): Promise<boolean[]> {
    return this.db.dataSource.transaction(async (m) => {
      const [head] = (await m.query(`SELECT last_seq, last_hash FROM ${HEAD} WHERE id = 1 FOR UPDATE`)) as {
        last_seq: string;
        last_hash: string;
      }[];
      if (!head) throw new Error('The audit chain head row is missing');
      const existing = (await m.query(`SELECT id FROM ${EVENTS} WHERE id = ANY($1::uuid[])`, [events.map((e) => e.id)])) as {
        id: string;
      }[];
      const seen = new Set(existing.map((r) => r.id));
      let seq = Number(head.last_seq);
      let prevHash = head.last_hash;
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
        ]);
        prevHash = hash;
        return true;
      });
      if (rows.length === 0) return stored;
      const placeholders = rows.map(
        (_, i) => `(${COLUMNS.map((c, j) => `$${i * COLUMNS.length + j + 1}${c === 'details' ? '::jsonb' : ''}`).join(', ')})`,
      );
      await m.query(`INSERT INTO ${EVENTS} (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${placeholders.join(', ')}`, rows.flat());
      await m.query(`UPDATE ${HEAD} SET last_seq = $1, last_hash = $2, seal = $3, updated_at = now() WHERE id = 1`, [
        seq,
        prevHash,
        this.sealer.seal({ hash: prevHash, kind: 'head', seq }),
      ]);
      return stored;
    });
  }

  /**
   * Walks the whole chain in pages of `pageSize` records inside one repeatable-read snapshot (appends and
   * pruning going on meanwhile do not disturb it), never holding more than a page in memory. A chain that
   * links up is then checked against its seals: the checkpoint it starts from, and the head.
   */
  async verify(
    pageSize = 1000,
  ): Promise<{ broken: ChainBreak | null; checked: number; head: { hash: string; seq: number }; start: ChainStart }> {
    const runner = this.db.dataSource.createQueryRunner('master');
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      const [head] = (await runner.query(`SELECT last_seq, last_hash, seal FROM ${HEAD} WHERE id = 1`)) as {
        last_seq: string;
        last_hash: string;
        seal: string | null;
      }[];
      const start = await this.chainStart(runner.manager);
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
          this.sealer.check({ kind: 'checkpoint', prevHash: start.prevHash, seq: start.seq }, start.seal),
          start.seq,
        );
      broken ??= sealBreak('head', this.sealer.check({ hash: headPos.hash, kind: 'head', seq: headPos.seq }, head.seal), headPos.seq);
      await runner.commitTransaction();
      return { broken, checked: verifier.count, head: headPos, start };
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
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
      const start = await this.chainStart(m);
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

  private async chainStart(m: EntityManager | QueryRunner['manager']): Promise<ChainStart> {
    const [checkpoint] = (await m.query(`SELECT seq, prev_hash, seal FROM ${CHECKPOINTS} ORDER BY seq DESC LIMIT 1`)) as {
      seq: string;
      prev_hash: string;
      seal: string | null;
    }[];
    return checkpoint
      ? { fromCheckpoint: true, prevHash: checkpoint.prev_hash, seal: checkpoint.seal, seq: Number(checkpoint.seq) }
      : { fromCheckpoint: false, prevHash: GENESIS_HASH, seal: null, seq: 1 };
  }
}

/**
 * `rotate-secrets` for the audit chain: re-seals the head and every checkpoint under the current key, after
 * checking each existing seal with the key it names: a seal that does not check out is never replaced by a
 * good one. Seals already under the current key are left alone, so running it again changes nothing.
 */
export async function resealAuditAnchors(source: DataSource, sealer: AuditSealer): Promise<{ resealed: number; scanned: number }> {
  return source.transaction(async (m) => {
    const [head] = (await m.query(`SELECT last_seq, last_hash, seal FROM ${HEAD} WHERE id = 1 FOR UPDATE`)) as {
      last_seq: string;
      last_hash: string;
      seal: string | null;
    }[];
    if (!head) throw new Error('The audit chain head row is missing');
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
    ];
    let resealed = 0;
    for (const { anchor, seal, update } of anchors) {
      const check = sealer.check(anchor, seal);
      if (check !== 'ok')
        throw new Error(
          `Refusing to re-seal the audit chain: the ${anchor.kind} at record ${anchor.seq} has ${check === 'missing' ? 'no seal' : check === 'unknown_key' ? 'a seal under a key no longer configured' : 'a seal that does not match'}`,
        );
      if (sealer.isCurrent(seal)) continue;
      await update(sealer.seal(anchor));
      resealed += 1;
    }
    return { resealed, scanned: anchors.length };
  });
}

/** The break a seal that does not check out makes, at the anchor's record. */
function sealBreak(kind: 'checkpoint' | 'head', check: SealCheck, seq: number): ChainBreak | null {
  const what = kind === 'head' ? 'the chain head' : 'the retention checkpoint';
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
