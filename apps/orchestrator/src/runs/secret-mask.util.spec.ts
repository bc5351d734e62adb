import type { NodeExecutionRecord } from '../engine/engine.types';
import { createSecretMask, maskNodeRecord, replayablePrefix, SECRET_MASK } from './secret-mask.util';

const record = (over: Partial<NodeExecutionRecord>): NodeExecutionRecord => ({
  createdAt: 0,
  edgeSourceHandle: null,
  elapsedTime: 0,
  error: null,
  executionMetadata: null,
  finishedAt: 0,
  id: 'r',
  index: 1,
  inputs: null,
  nodeId: 'n',
  nodeType: 'template-transform',
  outputs: null,
  predecessorNodeId: null,
  processData: null,
  status: 'succeeded',
  title: 'n',
  ...over,
});

describe('secret masking', () => {
  const mask = createSecretMask(['sk-live-123456', 'sk-live-1234567890', 'ab']);

  it('replaces every occurrence at any depth, the longer secret first, and leaves short ones alone', () => {
    expect(mask({ a: ['Bearer sk-live-1234567890', { b: 'x sk-live-123456 y sk-live-123456' }], c: 1, d: 'ab' })).toEqual({
      a: [`Bearer ${SECRET_MASK}`, { b: `x ${SECRET_MASK} y ${SECRET_MASK}` }],
      c: 1,
      d: 'ab',
    });
  });

  it('gives back the very same object when there is nothing to hide', () => {
    const value = { a: ['nothing here'], b: { c: 2 } };
    expect(mask(value)).toBe(value);
    expect(createSecretMask([])('sk-live-123456')).toBe('sk-live-123456');
  });

  it('marks a node whose outputs changed so a resumed run executes it again instead of replaying masked values', () => {
    const inputsOnly = maskNodeRecord(record({ inputs: { token: 'sk-live-123456' }, outputs: { text: 'fine' } }), mask);
    expect(inputsOnly.inputs).toEqual({ token: SECRET_MASK });
    expect(inputsOnly.executionMetadata).toBeNull();
    const leaky = maskNodeRecord(
      record({ id: 'leaky', outputs: { text: 'key=sk-live-123456' }, executionMetadata: { total_tokens: 3 } }),
      mask,
    );
    expect(leaky.outputs).toEqual({ text: `key=${SECRET_MASK}` });
    expect(leaky.executionMetadata).toEqual({ secret_masked: true, total_tokens: 3 });
    const clean = record({ id: 'clean' });
    expect(maskNodeRecord(clean, mask)).toBe(clean);
    expect(replayablePrefix([clean, inputsOnly, leaky, record({ id: 'after' })]).map((r) => r.id)).toEqual(['clean', 'r']);
  });
});
