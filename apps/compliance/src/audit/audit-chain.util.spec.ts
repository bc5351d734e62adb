import { canonicalJson, ChainVerifier, GENESIS_HASH, recordHash, type ChainedFields } from './audit-chain.util';

const record = (over: Partial<ChainedFields> = {}): ChainedFields => ({
  action: 'app.publish',
  actorId: 'a1',
  actorType: 'account',
  correlationId: 'c1',
  details: { b: 1, a: [1, 'x', { z: null, y: true }] },
  id: '6f1c3a52-8d7e-4b0a-9c1e-1234567890ab',
  ip: '127.0.0.1',
  occurredAt: new Date('2025-01-02T03:04:05.678Z'),
  outcome: 'success',
  prevHash: GENESIS_HASH,
  receivedAt: new Date('2025-01-02T03:04:06.000Z'),
  resourceId: 'app-1',
  resourceType: 'app',
  seq: 1,
  service: 'gateway',
  userAgent: 'jest',
  workspaceId: 'w1',
  ...over,
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"e":2,"f":1}]},"b":1}');
  });

  it('gives the same text whatever order the keys were written in', () => {
    expect(canonicalJson({ x: 1, y: { b: 2, a: 1 } })).toBe(canonicalJson({ y: { a: 1, b: 2 }, x: 1 }));
  });

  it('escapes strings as JSON does, drops undefined members and refuses non-finite numbers', () => {
    expect(canonicalJson({ s: 'a"b\n\u00e9', u: undefined, n: null })).toBe('{"n":null,"s":"a\\"b\\n\u00e9"}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
  });

  it('orders keys by UTF-16 code units (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, B: 2, '\u00e9': 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"\u00e9":3}');
  });
});

describe('recordHash', () => {
  it('is a stable SHA-256 over the canonical encoding', () => {
    const hash = recordHash(record());
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(recordHash(record({ details: { a: [1, 'x', { y: true, z: null }], b: 1 } }))).toBe(hash);
  });

  it('changes when any field, the previous hash or the sequence number changes', () => {
    const base = recordHash(record());
    const variants: Partial<ChainedFields>[] = [
      { action: 'app.delete' },
      { actorId: 'a2' },
      { details: { b: 2, a: [1, 'x', { z: null, y: true }] } },
      { occurredAt: new Date('2025-01-02T03:04:05.679Z') },
      { outcome: 'failure' },
      { prevHash: 'f'.repeat(64) },
      { seq: 2 },
      { workspaceId: null },
      { ip: null },
    ];
    for (const v of variants) expect(recordHash(record(v))).not.toBe(base);
  });
});

describe('ChainVerifier', () => {
  function chain(n: number, start = { seq: 1, prevHash: GENESIS_HASH }) {
    const rows: (ChainedFields & { hash: string })[] = [];
    let prevHash = start.prevHash;
    for (let i = 0; i < n; i++) {
      const r = record({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, prevHash, seq: start.seq + i });
      const hash = recordHash(r);
      rows.push({ ...r, hash });
      prevHash = hash;
    }
    return rows;
  }
  const run = (
    rows: (ChainedFields & { hash: string })[],
    start: { seq: number; prevHash: string; fromCheckpoint: boolean },
    head: { seq: number; hash: string },
  ) => {
    const v = new ChainVerifier(start, head);
    for (const r of rows) {
      const broken = v.check(r);
      if (broken) return broken;
    }
    return v.finish();
  };
  const genesis = { seq: 1, prevHash: GENESIS_HASH, fromCheckpoint: false };

  it('accepts an intact chain, and an empty one', () => {
    const rows = chain(5);
    expect(run(rows, genesis, { seq: 5, hash: rows[4].hash })).toBeNull();
    expect(run([], genesis, { seq: 0, hash: GENESIS_HASH })).toBeNull();
  });

  it('finds a changed record, a deleted one, one added after the head and a truncated end', () => {
    const rows = chain(5);
    const head = { seq: 5, hash: rows[4].hash };
    expect(
      run(
        rows.map((r) => (r.seq === 3 ? { ...r, action: 'x' } : r)),
        genesis,
        head,
      ),
    ).toMatchObject({ seq: 3, reason: 'hash_mismatch' });
    expect(
      run(
        rows.filter((r) => r.seq !== 2),
        genesis,
        head,
      ),
    ).toMatchObject({ seq: 3, reason: 'sequence_gap' });
    expect(run([...rows, { ...rows[4], seq: 6, id: 'x' }], genesis, head)).toMatchObject({ seq: 6, reason: 'record_after_head' });
    expect(run(rows.slice(0, 4), genesis, head)).toMatchObject({ seq: 5, reason: 'head_mismatch' });
    // A rewritten record with a fresh hash still breaks the link from the next one.
    const forged = { ...rows[1], action: 'x' };
    const reHashed = rows.map((r) => (r.seq === 2 ? { ...forged, hash: recordHash(forged) } : r));
    expect(run(reHashed, genesis, head)).toMatchObject({ seq: 3, reason: 'previous_hash_mismatch' });
  });

  it('starts at a checkpoint after pruning and checks the first kept record against it', () => {
    const all = chain(6);
    const kept = all.slice(3);
    const checkpoint = { seq: 4, prevHash: all[2].hash, fromCheckpoint: true };
    const head = { seq: 6, hash: all[5].hash };
    expect(run(kept, checkpoint, head)).toBeNull();
    expect(run(kept.slice(1), checkpoint, head)).toMatchObject({ seq: 5, reason: 'checkpoint_mismatch' });
    expect(run(kept, { ...checkpoint, prevHash: 'f'.repeat(64) }, head)).toMatchObject({ seq: 4, reason: 'checkpoint_mismatch' });
  });
});
