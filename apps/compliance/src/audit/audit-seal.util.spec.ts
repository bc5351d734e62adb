import { AuditSealer } from './audit-seal.util';

describe('AuditSealer', () => {
  const head = { hash: 'a'.repeat(64), kind: 'head' as const, seq: 42 };
  const sealer = new AuditSealer({ currentKeyId: 'k1', keys: { k1: 'first-key-material-0123456789abcdef' } });

  it('seals an anchor under the current key id and checks it', () => {
    const seal = sealer.seal(head);
    expect(seal).toMatch(/^k1:[0-9a-f]{64}$/);
    expect(sealer.check(head, seal)).toBe('ok');
    expect(sealer.isCurrent(seal)).toBe(true);
  });

  it('tells a changed anchor, a forged, missing or malformed seal, and an unknown key apart', () => {
    const seal = sealer.seal(head);
    expect(sealer.check({ ...head, seq: 43 }, seal)).toBe('mismatch');
    expect(sealer.check({ ...head, hash: 'b'.repeat(64) }, seal)).toBe('mismatch');
    // A head and a checkpoint with the same numbers are different anchors.
    expect(sealer.check({ kind: 'checkpoint', prevHash: head.hash, seq: head.seq }, seal)).toBe('mismatch');
    expect(sealer.check(head, `k1:${'0'.repeat(64)}`)).toBe('mismatch');
    expect(sealer.check(head, 'not a seal')).toBe('mismatch');
    expect(sealer.check(head, null)).toBe('missing');
    expect(sealer.check(head, '')).toBe('missing');
    expect(sealer.check(head, `k9:${'0'.repeat(64)}`)).toBe('unknown_key');
    // Without the key material the seal cannot be made: another key gives another seal.
    expect(new AuditSealer({ currentKeyId: 'k1', keys: { k1: 'other-key-material-0123456789abcdef' } }).seal(head)).not.toBe(seal);
  });

  it('verifies seals of older keys still listed, and seals new anchors with the current one', () => {
    const old = sealer.seal(head);
    const rotated = new AuditSealer({
      currentKeyId: 'k2',
      keys: { k1: 'first-key-material-0123456789abcdef', k2: 'second-key-material-0123456789abcd' },
    });
    expect(rotated.check(head, old)).toBe('ok');
    expect(rotated.isCurrent(old)).toBe(false);
    expect(rotated.seal(head)).toMatch(/^k2:/);
    expect(new AuditSealer({ currentKeyId: 'k2', keys: { k2: 'second-key-material-0123456789abcd' } }).check(head, old)).toBe(
      'unknown_key',
    );
  });

  it("seals a workspace's head over where its chain begins and ends, for that workspace only", () => {
    const workspace = {
      firstPrevHash: 'c'.repeat(64),
      firstSeq: 3,
      kind: 'workspace_head' as const,
      lastHash: 'd'.repeat(64),
      lastSeq: 9,
      workspaceId: 'w1',
    };
    const seal = sealer.seal(workspace);
    expect(sealer.check(workspace, seal)).toBe('ok');
    for (const changed of [
      { firstSeq: 1 },
      { firstPrevHash: 'e'.repeat(64) },
      { lastSeq: 8 },
      { lastHash: 'e'.repeat(64) },
      { workspaceId: 'w2' },
    ])
      expect(sealer.check({ ...workspace, ...changed }, seal)).toBe('mismatch');
    expect(sealer.check({ hash: workspace.lastHash, kind: 'head', seq: workspace.lastSeq }, seal)).toBe('mismatch');
    // No workspace id can be made to read as another one followed by numbers.
    expect(sealer.seal({ ...workspace, workspaceId: 'w1","3' })).not.toBe(sealer.seal({ ...workspace, firstSeq: 3, workspaceId: 'w1' }));
  });

  it('refuses a keyring whose current key is missing', () => {
    expect(() => new AuditSealer({ currentKeyId: 'k3', keys: { k1: 'x' } })).toThrow(/k3/);
  });
});
