import { dumpYaml, loadYaml, utf8ByteLength } from './dsl-yaml.util';

describe('YAML helpers', () => {
  it.each(['', 'ascii', 'é', '≥ ≤ ≠', '🤖 emoji', 'mixed 中文 text 🚀', '\ud800 lone surrogate'])(
    'counts UTF-8 bytes of %j as Buffer does',
    (text) => {
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
    },
  );

  it('loads plain values without YAML 1.1 surprises', () => {
    expect(loadYaml('position: {x: 1, y: 2}\nflag: yes\nwhen: 2024-01-01\nop: =\n')).toEqual({
      ok: true,
      value: { flag: 'yes', op: '=', position: { x: 1, y: 2 }, when: '2024-01-01' },
    });
  });

  it('keeps the last of duplicate keys, as PyYAML does', () => {
    expect(loadYaml('a: 1\na: 2\n')).toEqual({ ok: true, value: { a: 2 } });
  });

  it('reports only the first line of a syntax error, with its position', () => {
    const result = loadYaml('a: "unclosed\n');
    expect(result.ok).toBe(false);
    if (!result.ok) for (const problem of result.problems) expect(problem.message).not.toContain('\n');
  });

  it('dumps with sorted keys, unindented lists and single quotes, as PyYAML does', () => {
    expect(dumpYaml({ b: ['1', 'x'], a: { d: true, c: 'on' } })).toBe("a:\n  c: 'on'\n  d: true\nb:\n- '1'\n- x\n");
  });
});
