import type { AuditBreakReason } from '@weft/contracts';
import { createHash } from 'node:crypto';

/** The previous hash of the very first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON (RFC 8785 for the values an audit record holds): object keys sorted by UTF-16 code
 * units, no whitespace, strings and numbers as `JSON.stringify` writes them. `undefined` members are
 * dropped, as JSON would; non-finite numbers cannot be encoded and are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('A non-finite number has no canonical JSON form');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new Error(`A ${typeof value} has no canonical JSON form`);
  }
}

/** What a chained record's hash covers: every field of the event plus its place in the chain. */
export interface ChainedFields {
  action: string;
  actorId: string | null;
  actorType: string;
  correlationId: string | null;
  details: Record<string, unknown>;
  id: string;
  ip: string | null;
  occurredAt: Date;
  outcome: string;
  prevHash: string;
  receivedAt: Date;
  resourceId: string | null;
  resourceType: string;
  seq: number;
  service: string;
  userAgent: string | null;
  workspaceId: string | null;
}

/**
 * Timestamps are hashed as ISO 8601 in UTC with milliseconds (`2025-01-02T03:04:05.678Z`): the precision
 * JavaScript has, and what a timestamptz written from a JavaScript Date reads back as.
 */
export function canonicalRecord(r: ChainedFields): string {
  return canonicalJson({
    action: r.action,
    actor_id: r.actorId,
    actor_type: r.actorType,
    correlation_id: r.correlationId,
    details: r.details,
    id: r.id,
    ip: r.ip,
    occurred_at: r.occurredAt.toISOString(),
    outcome: r.outcome,
    prev_hash: r.prevHash,
    received_at: r.receivedAt.toISOString(),
    resource_id: r.resourceId,
    resource_type: r.resourceType,
    seq: r.seq,
    service: r.service,
    user_agent: r.userAgent,
    v: 1,
    workspace_id: r.workspaceId,
  });
}

/** SHA-256 (hex) of a record's canonical encoding. */
export function recordHash(r: ChainedFields): string {
  return createHash('sha256').update(canonicalRecord(r), 'utf8').digest('hex');
}

/** A place in the chain: the sequence number a record must have and the hash it must point back to. */
export interface ChainPosition {
  prevHash: string;
  seq: number;
}

/** The first place where a chain breaks. `id` is null when the break is a missing record. */
export interface ChainBreak {
  detail: string;
  id: string | null;
  reason: AuditBreakReason;
  seq: number;
}

/**
 * A record's place in its workspace's own chain, beside its place in the global one: the workspace's records
 * are numbered 1, 2, 3… and each points back to the previous one's `workspaceHash`. Records of no workspace
 * (system events) are in the global chain only.
 */
export interface WorkspaceLink {
  /** The record's hash in the global chain, which covers its whole content. */
  hash: string;
  workspaceId: string;
  workspacePrevHash: string;
  workspaceSeq: number;
}

/**
 * SHA-256 (hex) of a record's workspace link: its own hash and its place in its workspace's chain (format
 * version 1, which must never change: the migration that chained the workspaces computed it too).
 */
export function workspaceLinkHash(l: WorkspaceLink): string {
  const canonical = canonicalJson({
    hash: l.hash,
    v: 1,
    workspace_id: l.workspaceId,
    workspace_prev_hash: l.workspacePrevHash,
    workspace_seq: l.workspaceSeq,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** One link of a hash chain: where the record sits, what it points back to, and the hash the next one points to. */
interface ChainLink {
  hash: string;
  id: string;
  prevHash: string;
  seq: number;
}

/**
 * Checks the links of a chain in sequence order, one at a time, so a chain of any length is verified in
 * constant memory: each record must sit where the last one ended and point back to it, and its content must
 * match its hash. Starts at the genesis or at a checkpoint, and ends by comparing with the head.
 */
class LinkWalker {
  private expected: ChainPosition;
  private checked = 0;

  constructor(
    private readonly start: ChainPosition & { fromCheckpoint: boolean },
    private readonly head: { hash: string; seq: number },
    /** How messages name record `seq` ("record 7", "record 7 of this workspace"). */
    private readonly name: (seq: number) => string,
  ) {
    this.expected = { prevHash: start.prevHash, seq: start.seq };
  }

  get count(): number {
    return this.checked;
  }

  check(r: ChainLink, content: () => ChainBreak | null): ChainBreak | null {
    const first = this.checked === 0;
    const at = { id: r.id, seq: r.seq };
    const name = this.name;
    if (r.seq > this.head.seq)
      return {
        ...at,
        detail: `${name(r.seq)} lies after the chain head (${this.head.seq}): it was not appended by the service`,
        reason: 'record_after_head',
      };
    if (r.seq !== this.expected.seq) {
      if (first && this.start.fromCheckpoint)
        return {
          ...at,
          detail: `the retention checkpoint says the chain resumes at ${this.expected.seq}, but it begins at ${r.seq}`,
          reason: 'checkpoint_mismatch',
        };
      return {
        ...at,
        detail:
          r.seq > this.expected.seq
            ? `${name(this.expected.seq)} is missing before ${name(r.seq)}`
            : `${name(r.seq)} is out of place (expected ${this.expected.seq})`,
        reason: 'sequence_gap',
      };
    }
    if (r.prevHash !== this.expected.prevHash) {
      if (first && this.start.fromCheckpoint)
        return { ...at, detail: `${name(r.seq)} does not point back to the retention checkpoint's hash`, reason: 'checkpoint_mismatch' };
      return { ...at, detail: `${name(r.seq)} does not point back to the hash of ${name(r.seq - 1)}`, reason: 'previous_hash_mismatch' };
    }
    const changed = content();
    if (changed) return changed;
    this.checked += 1;
    this.expected = { prevHash: r.hash, seq: r.seq + 1 };
    return null;
  }

  finish(): ChainBreak | null {
    const lastSeq = this.expected.seq - 1;
    if (lastSeq !== this.head.seq) {
      return {
        detail: `the chain ends at ${this.name(lastSeq)} but its head is ${this.name(this.head.seq)}: records are missing from the end`,
        id: null,
        reason: 'head_mismatch',
        seq: lastSeq + 1,
      };
    }
    if (this.expected.prevHash !== this.head.hash)
      return { detail: `the last record's hash differs from the chain head's`, id: null, reason: 'head_mismatch', seq: lastSeq };
    return null;
  }
}

/**
 * Checks the global chain's records in sequence order, one at a time, so a chain of any length is verified
 * in constant memory. Starts at the genesis or at a retention checkpoint, and ends by comparing with the head row.
 */
export class ChainVerifier {
  private readonly walker: LinkWalker;

  constructor(start: ChainPosition & { fromCheckpoint: boolean }, head: { hash: string; seq: number }) {
    this.walker = new LinkWalker(start, head, (seq) => `record ${seq}`);
  }

  get count(): number {
    return this.walker.count;
  }

  /** The next record in sequence order; a break is returned, and nothing after it should be checked. */
  check(r: ChainedFields & { hash: string }): ChainBreak | null {
    return this.walker.check(r, () =>
      recordHash(r) !== r.hash
        ? { detail: `record ${r.seq} does not match its hash: its content was changed`, id: r.id, reason: 'hash_mismatch', seq: r.seq }
        : null,
    );
  }

  /** After the last record: the chain must end exactly at the head (records deleted from the end show here). */
  finish(): ChainBreak | null {
    return this.walker.finish();
  }
}

/**
 * Checks one workspace's chain: its records in workspace order, each at its place in the workspace's chain
 * and pointing back to the workspace's previous record, its content matching its (global) hash, computed from
 * its stored previous hash, and its workspace link matching too. Starts at the workspace's first kept record
 * (the genesis, or where pruning left it) and ends at the workspace's head. Sequence numbers in what it reports
 * are the workspace's own (1, 2, 3… over its records), never the platform's.
 */
export class WorkspaceChainVerifier {
  private readonly walker: LinkWalker;

  constructor(start: ChainPosition & { fromCheckpoint: boolean }, head: { hash: string; seq: number }) {
    this.walker = new LinkWalker(start, head, (seq) => `record ${seq} of this workspace`);
  }

  get count(): number {
    return this.walker.count;
  }

  /** The workspace's next record; a break is returned, and nothing after it should be checked. */
  check(r: ChainedFields & WorkspaceLink & { workspaceHash: string }): ChainBreak | null {
    const at = { id: r.id, seq: r.workspaceSeq };
    return this.walker.check({ hash: r.workspaceHash, id: r.id, prevHash: r.workspacePrevHash, seq: r.workspaceSeq }, () => {
      if (recordHash(r) !== r.hash)
        return {
          ...at,
          detail: `record ${r.workspaceSeq} of this workspace does not match its hash: its content was changed`,
          reason: 'hash_mismatch',
        };
      if (workspaceLinkHash(r) !== r.workspaceHash)
        return {
          ...at,
          detail: `record ${r.workspaceSeq} of this workspace does not match its workspace hash: its place in the chain was changed`,
          reason: 'hash_mismatch',
        };
      return null;
    });
  }

  /** After the workspace's last record: its chain must end exactly at its head. */
  finish(): ChainBreak | null {
    return this.walker.finish();
  }
}
