import {
  canonicalJson,
  ChainVerifier,
  GENESIS_HASH,
  recordHash,
  WorkspaceChainVerifier,
  workspaceLinkHash,
  type ChainedFields,
  type WorkspaceLink,
} from './audit-chain.util';

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

describe('workspace chains', () => {
  type Linked = ChainedFields & WorkspaceLink & { hash: string; workspaceHash: string };

  /** A global chain of records of workspaces `owners[i]`, each also linked into its workspace's chain. */
  function trail(owners: string[]): Linked[] {
    const heads = new Map<string, { hash: string; seq: number }>();
    const rows: Linked[] = [];
    let prevHash = GENESIS_HASH;
    owners.forEach((workspaceId, i) => {
      const r = record({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, prevHash, seq: i + 1, workspaceId });
      const hash = recordHash(r);
      const previous = heads.get(workspaceId) ?? { hash: GENESIS_HASH, seq: 0 };
      const link = { hash, workspaceId, workspacePrevHash: previous.hash, workspaceSeq: previous.seq + 1 };
      const workspaceHash = workspaceLinkHash(link);
      rows.push({ ...r, ...link, workspaceHash });
      heads.set(workspaceId, { hash: workspaceHash, seq: link.workspaceSeq });
      prevHash = hash;
    });
    return rows;
  }
  const run = (rows: Linked[], start: { seq: number; prevHash: string; fromCheckpoint: boolean }, head: { seq: number; hash: string }) => {
    const v = new WorkspaceChainVerifier(start, head);
    for (const r of rows) {
      const broken = v.check(r);
      if (broken) return broken;
    }
    return v.finish() ?? { checked: v.count };
  };
  const genesis = { seq: 1, prevHash: GENESIS_HASH, fromCheckpoint: false };
  const all = trail(['a', 'b', 'a', 'b', 'b', 'a', 'a']);
  const mine = all.filter((r) => r.workspaceId === 'a');
  const head = { seq: 4, hash: mine[3]!.workspaceHash };

  it('links a workspace hash to the record it covers and to its place', () => {
    const base = { hash: 'a'.repeat(64), workspaceId: 'w1', workspacePrevHash: GENESIS_HASH, workspaceSeq: 1 };
    const hash = workspaceLinkHash(base);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    for (const v of [{ hash: 'b'.repeat(64) }, { workspaceId: 'w2' }, { workspacePrevHash: 'f'.repeat(64) }, { workspaceSeq: 2 }])
      expect(workspaceLinkHash({ ...base, ...v })).not.toBe(hash);
  });

  it("verifies a workspace's records alone, numbered in its own chain, whatever lies between them in the global one", () => {
    expect(mine.map((r) => r.workspaceSeq)).toEqual([1, 2, 3, 4]);
    expect(run(mine, genesis, head)).toEqual({ checked: 4 });
    expect(run([], genesis, { seq: 0, hash: GENESIS_HASH })).toEqual({ checked: 0 });
  });

  it("finds its own changed, deleted, added and cut-off records, reporting them by the workspace's numbers", () => {
    const changed = mine.map((r) => (r.workspaceSeq === 2 ? { ...r, outcome: 'failure' } : r));
    expect(run(changed, genesis, head)).toMatchObject({ id: mine[1]!.id, reason: 'hash_mismatch', seq: 2 });
    expect(run(changed, genesis, head)).toMatchObject({ detail: expect.stringContaining('record 2 of this workspace') });
    expect(
      run(
        mine.filter((r) => r.workspaceSeq !== 2),
        genesis,
        head,
      ),
    ).toMatchObject({ reason: 'sequence_gap', seq: 3 });
    expect(run([...mine, { ...mine[3]!, id: 'x', workspaceSeq: 5 }], genesis, head)).toMatchObject({ reason: 'record_after_head', seq: 5 });
    expect(run(mine.slice(0, 3), genesis, head)).toMatchObject({ reason: 'head_mismatch', seq: 4 });
    // A record moved into the workspace's chain from elsewhere, or renumbered, no longer matches its workspace hash.
    const renumbered = mine.map((r) => (r.workspaceSeq === 4 ? { ...r, workspaceId: 'b' } : r));
    expect(run(renumbered, genesis, head)).toMatchObject({ reason: 'hash_mismatch', seq: 4 });
    // A record rewritten with fresh hashes breaks the link from the workspace's next record.
    const forged = { ...mine[1]!, outcome: 'failure' };
    const reHashed = { ...forged, hash: recordHash(forged) };
    const relinked = { ...reHashed, workspaceHash: workspaceLinkHash(reHashed) };
    expect(
      run(
        mine.map((r) => (r.workspaceSeq === 2 ? relinked : r)),
        genesis,
        head,
      ),
    ).toMatchObject({
      reason: 'previous_hash_mismatch',
      seq: 3,
    });
  });

  it("does not see another workspace's records, nor a break in them", () => {
    const theirs = all.filter((r) => r.workspaceId === 'b').map((r) => (r.workspaceSeq === 2 ? { ...r, action: 'x' } : r));
    expect(run(mine, genesis, head)).toEqual({ checked: 4 });
    expect(run(theirs, genesis, { seq: 3, hash: all.filter((r) => r.workspaceId === 'b')[2]!.workspaceHash })).toMatchObject({
      reason: 'hash_mismatch',
      seq: 2,
    });
  });

  it('starts where pruning left the workspace, and checks the first kept record against it', () => {
    const start = { seq: 3, prevHash: mine[1]!.workspaceHash, fromCheckpoint: true };
    expect(run(mine.slice(2), start, head)).toEqual({ checked: 2 });
    expect(run(mine.slice(3), start, head)).toMatchObject({ reason: 'checkpoint_mismatch', seq: 4 });
    expect(run(mine.slice(2), { ...start, prevHash: 'f'.repeat(64) }, head)).toMatchObject({ reason: 'checkpoint_mismatch', seq: 3 });
  });
});
