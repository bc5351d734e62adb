import { VariablePool, VariablePoolError } from './variable-pool.util';
import { WorkflowFile } from './variable.types';

const file: WorkflowFile = {
  dify_model_identity: '__dify__file__',
  type: 'document',
  transfer_method: 'local_file',
  related_id: 'f-1',
  filename: 'report.pdf',
  extension: '.pdf',
  mime_type: 'application/pdf',
  size: 2048,
  url: 'https://files.example/report.pdf',
};

describe('VariablePool', () => {
  it('starts with system, environment and conversation variables under their reserved roots', () => {
    const pool = new VariablePool({
      system: { query: 'hi', user_id: 'u-1', dialogue_count: 3, files: [], workflow_run_id: 'run-1', timestamp: 1700000000 },
      environment: { API_KEY: 'secret' },
      conversation: { topic: 'weather' },
    });
    expect(pool.get(['sys', 'query'])).toBe('hi');
    expect(pool.get(['sys', 'user_id'])).toBe('u-1');
    expect(pool.get(['sys', 'dialogue_count'])).toBe(3);
    expect(pool.get(['sys', 'files'])).toEqual([]);
    expect(pool.get(['sys', 'workflow_run_id'])).toBe('run-1');
    expect(pool.get(['sys', 'timestamp'])).toBe(1700000000);
    expect(pool.get(['sys', 'conversation_id'])).toBeUndefined();
    expect(pool.get(['env', 'API_KEY'])).toBe('secret');
    expect(pool.get(['conversation', 'topic'])).toBe('weather');
  });

  it('stores node outputs and reads them by [nodeId, name]', () => {
    const pool = new VariablePool();
    pool.setNodeOutputs('1754154032319', { text: 'hello', usage: { tokens: 5 } });
    expect(pool.get(['1754154032319', 'text'])).toBe('hello');
    expect(pool.get(['1754154032319', 'usage'])).toEqual({ tokens: 5 });
  });

  it('walks extra selector segments into objects and arrays, with numeric-string indices', () => {
    const pool = new VariablePool();
    pool.set(['llm', 'obj'], { user: { name: 'Ada', tags: ['a', 'b'] }, list: [{ id: 7 }] });
    expect(pool.get(['llm', 'obj', 'user', 'name'])).toBe('Ada');
    expect(pool.get(['llm', 'obj', 'user', 'tags', '1'])).toBe('b');
    expect(pool.get(['llm', 'obj', 'list', '0', 'id'])).toBe(7);
  });

  it('returns undefined for anything missing or not addressable', () => {
    const pool = new VariablePool();
    pool.set(['n', 'obj'], { a: 1, arr: [1, 2] });
    pool.set(['n', 'text'], 'abc');
    expect(pool.get(['n', 'missing'])).toBeUndefined();
    expect(pool.get(['other', 'obj'])).toBeUndefined();
    expect(pool.get(['n', 'obj', 'b'])).toBeUndefined();
    expect(pool.get(['n', 'obj', 'a', 'deeper'])).toBeUndefined();
    expect(pool.get(['n', 'obj', 'arr', '2'])).toBeUndefined();
    expect(pool.get(['n', 'obj', 'arr', '01'])).toBeUndefined();
    expect(pool.get(['n', 'obj', 'arr', '-1'])).toBeUndefined();
    expect(pool.get(['n', 'text', '0'])).toBeUndefined();
    expect(pool.get(['n', 'obj', 'constructor'])).toBeUndefined();
    expect(pool.get(['n', 'obj', '__proto__'])).toBeUndefined();
    expect(pool.get(['n'])).toBeUndefined();
    expect(pool.get([])).toBeUndefined();
  });

  it('reads file attributes through Dify attribute names and nothing else', () => {
    const pool = new VariablePool();
    pool.set(['start', 'doc'], file);
    expect(pool.get(['start', 'doc', 'name'])).toBe('report.pdf');
    expect(pool.get(['start', 'doc', 'extension'])).toBe('.pdf');
    expect(pool.get(['start', 'doc', 'size'])).toBe(2048);
    expect(pool.get(['start', 'doc', 'url'])).toBe('https://files.example/report.pdf');
    expect(pool.get(['start', 'doc', 'related_id'])).toBe('f-1');
    expect(pool.get(['start', 'doc', 'filename'])).toBeUndefined();
  });

  it('keeps null as a stored value, distinct from missing', () => {
    const pool = new VariablePool();
    pool.set(['n', 'nothing'], null);
    pool.set(['n', 'undef'], undefined);
    expect(pool.get(['n', 'nothing'])).toBeNull();
    expect(pool.has(['n', 'nothing'])).toBe(true);
    expect(pool.get(['n', 'undef'])).toBeNull();
    expect(pool.has(['n', 'absent'])).toBe(false);
  });

  it('has() follows nested paths', () => {
    const pool = new VariablePool();
    pool.set(['n', 'obj'], { a: { b: 0 } });
    expect(pool.has(['n', 'obj', 'a', 'b'])).toBe(true);
    expect(pool.has(['n', 'obj', 'a', 'c'])).toBe(false);
  });

  it('refuses to set anything but a two-part selector of non-empty strings', () => {
    const pool = new VariablePool();
    expect(() => pool.set(['n'], 1)).toThrow(VariablePoolError);
    expect(() => pool.set(['n', 'a', 'b'], 1)).toThrow('Invalid selector ["n","a","b"]: expected exactly 2 non-empty strings');
    expect(() => pool.set(['n', ''], 1)).toThrow(VariablePoolError);
  });

  it('overwrites and removes variables', () => {
    const pool = new VariablePool();
    pool.setNodeOutputs('n', { a: 1, b: 2 });
    pool.set(['n', 'a'], 10);
    expect(pool.get(['n', 'a'])).toBe(10);
    pool.remove(['n', 'a']);
    expect(pool.get(['n', 'a'])).toBeUndefined();
    expect(pool.get(['n', 'b'])).toBe(2);
    pool.remove(['n']);
    expect(pool.get(['n', 'b'])).toBeUndefined();
  });

  describe('snapshots', () => {
    it('round-trips through JSON text to an equal pool', () => {
      const pool = new VariablePool({ system: { query: 'q', files: [file] }, conversation: { count: 2 } });
      pool.setNodeOutputs('llm', { text: 'answer', meta: { nested: [1, { deep: true }] }, none: null });
      const text = JSON.stringify(pool.snapshot());
      const restored = VariablePool.fromSnapshot(JSON.parse(text));
      expect(restored.get(['sys', 'query'])).toBe('q');
      expect(restored.get(['sys', 'files', '0', 'name'])).toBe('report.pdf');
      expect(restored.get(['conversation', 'count'])).toBe(2);
      expect(restored.get(['llm', 'meta', 'nested', '1', 'deep'])).toBe(true);
      expect(restored.get(['llm', 'none'])).toBeNull();
      expect(restored.snapshot()).toEqual(pool.snapshot());
    });

    it('is plain JSON, detached from the live pool', () => {
      const pool = new VariablePool();
      pool.set(['n', 'obj'], { a: 1 });
      const snapshot = pool.snapshot();
      expect(snapshot).toEqual({ version: 1, variables: { n: { obj: { a: 1 } } } });
      expect(Object.getPrototypeOf(snapshot.variables)).toBe(Object.prototype);
      (snapshot.variables['n']['obj'] as { a: number }).a = 99;
      expect(pool.get(['n', 'obj', 'a'])).toBe(1);
    });

    it('keeps a "__proto__" variable name as data', () => {
      const pool = new VariablePool();
      pool.set(['n', '__proto__'], 'x');
      const restored = VariablePool.fromSnapshot(JSON.parse(JSON.stringify(pool.snapshot())));
      expect(restored.get(['n', '__proto__'])).toBe('x');
    });

    it('includes parent scopes of a child', () => {
      const root = new VariablePool({ conversation: { c: 1 } });
      const child = root.createChildScope('iter', { item: 'x', index: 0 });
      const restored = VariablePool.fromSnapshot(JSON.parse(JSON.stringify(child.snapshot())));
      expect(restored.get(['iter', 'item'])).toBe('x');
      expect(restored.get(['conversation', 'c'])).toBe(1);
      expect(restored.parentScope?.get(['iter', 'item'])).toBeUndefined();
    });

    it('rejects malformed snapshots with a typed error', () => {
      expect(() => VariablePool.fromSnapshot(null)).toThrow(VariablePoolError);
      expect(() => VariablePool.fromSnapshot({ version: 2, variables: {} })).toThrow('Invalid variable pool snapshot');
      expect(() => VariablePool.fromSnapshot({ version: 1, variables: { n: [] } })).toThrow('variables of node "n" are not an object');
    });
  });

  describe('child scopes', () => {
    it('expose the container locals and read through to the parent', () => {
      const root = new VariablePool({ system: { query: 'q' } });
      root.set(['before', 'out'], 'upstream');
      const child = root.createChildScope('iter', { item: { id: 3 }, index: 2 });
      expect(child.get(['iter', 'item', 'id'])).toBe(3);
      expect(child.get(['iter', 'index'])).toBe(2);
      expect(child.get(['before', 'out'])).toBe('upstream');
      expect(child.get(['sys', 'query'])).toBe('q');
      expect(root.get(['iter', 'item'])).toBeUndefined();
      expect(child.parentScope).toBe(root);
    });

    it('keep body node outputs local to each round', () => {
      const root = new VariablePool();
      const first = root.createChildScope('iter', { item: 'a', index: 0 });
      first.setNodeOutputs('body', { text: 'A' });
      const second = root.createChildScope('iter', { item: 'b', index: 1 });
      expect(first.get(['body', 'text'])).toBe('A');
      expect(second.get(['body', 'text'])).toBeUndefined();
      expect(root.get(['body', 'text'])).toBeUndefined();
    });

    it('write loop variables and conversation variables through to the scope that holds them', () => {
      const root = new VariablePool({ conversation: { total: 0 } });
      root.set(['loop', 'counter'], 1);
      const round = root.createChildScope('loop', { index: 0 });
      round.set(['loop', 'counter'], 2);
      round.set(['conversation', 'total'], 5);
      expect(root.get(['loop', 'counter'])).toBe(2);
      expect(root.get(['conversation', 'total'])).toBe(5);
      expect(round.get(['loop', 'index'])).toBe(0);
    });

    it('send new reserved-root variables to the root and shadow nothing else', () => {
      const root = new VariablePool();
      const outer = root.createChildScope('outer', { item: 1 });
      const inner = outer.createChildScope('inner', { item: 2 });
      inner.set(['conversation', 'fresh'], 'x');
      inner.set(['outer', 'item'], 10);
      expect(root.get(['conversation', 'fresh'])).toBe('x');
      expect(outer.get(['outer', 'item'])).toBe(10);
      expect(inner.get(['inner', 'item'])).toBe(2);
      expect(outer.get(['inner', 'item'])).toBeUndefined();
    });
  });
});
