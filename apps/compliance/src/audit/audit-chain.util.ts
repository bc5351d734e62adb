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
 * Checks records in sequence order, one at a time, so a chain of any length is verified in constant
 * memory. Starts at the genesis or at a retention checkpoint, and ends by comparing with the head row.
 */
export class ChainVerifier {
  private expected: ChainPosition;
  private checked = 0;

  constructor(
    private readonly start: ChainPosition & { fromCheckpoint: boolean },
    private readonly head: { hash: string; seq: number },
  ) {
    this.expected = { prevHash: start.prevHash, seq: start.seq };
  }

  get count(): number {
    return this.checked;
  }

  /** The next record in sequence order; a break is returned, and nothing after it should be checked. */
  check(r: ChainedFields & { hash: string }): ChainBreak | null {
    const first = this.checked === 0;
    const at = { id: r.id, seq: r.seq };
    if (r.seq > this.head.seq)
      return {
        ...at,
        detail: `record ${r.seq} lies after the chain head (${this.head.seq}): it was not appended by the service`,
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
            ? `record ${this.expected.seq} is missing before record ${r.seq}`
            : `record ${r.seq} is out of place (expected ${this.expected.seq})`,
        reason: 'sequence_gap',
      };
    }
    if (r.prevHash !== this.expected.prevHash) {
      if (first && this.start.fromCheckpoint)
        return { ...at, detail: `record ${r.seq} does not point back to the retention checkpoint's hash`, reason: 'checkpoint_mismatch' };
      return { ...at, detail: `record ${r.seq} does not point back to the hash of record ${r.seq - 1}`, reason: 'previous_hash_mismatch' };
    }
    if (recordHash(r) !== r.hash)
      return { ...at, detail: `record ${r.seq} does not match its hash: its content was changed`, reason: 'hash_mismatch' };
    this.checked += 1;
    this.expected = { prevHash: r.hash, seq: r.seq + 1 };
    return null;
  }

  /** After the last record: the chain must end exactly at the head (records deleted from the end show here). */
  finish(): ChainBreak | null {
    const lastSeq = this.expected.seq - 1;
    if (lastSeq !== this.head.seq) {
      return {
        detail: `the chain ends at record ${lastSeq} but its head is record ${this.head.seq}: records are missing from the end`,
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
