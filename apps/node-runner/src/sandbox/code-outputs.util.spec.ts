import { checkCodeOutputs } from './code-outputs.util';
import { CodeOutputDeclarations } from './sandbox.types';

describe('checkCodeOutputs', () => {
  it('accepts a result matching its declarations and removes NUL characters from strings', () => {
    const outputs: CodeOutputDeclarations = {
      count: { type: 'number' },
      flags: { type: 'array[boolean]' },
      meta: { type: 'object', children: { name: { type: 'string' } } },
      rows: { type: 'array[object]', children: { id: { type: 'number' } } },
      tags: { type: 'array[string]' },
      text: { type: 'string' },
    };
    const result = {
      count: 2,
      flags: [true, null],
      meta: { name: 'a' },
      rows: [{ id: 1 }, null],
      tags: ['x', 'y'],
      text: 'a\u0000b',
    };
    expect(checkCodeOutputs(result, outputs)).toEqual({ ok: true, outputs: { ...result, text: 'ab' } });
  });

  it('accepts null for any declared type and converts booleans declared as numbers', () => {
    expect(checkCodeOutputs({ a: null, b: true }, { a: { type: 'string' }, b: { type: 'number' } })).toEqual({
      ok: true,
      outputs: { a: null, b: 1 },
    });
  });

  it('names a declared output that is missing', () => {
    expect(checkCodeOutputs({}, { result: { type: 'string' } })).toEqual({ ok: false, error: 'Output result is missing.' });
  });

  it('names the variable and expected type when a type is wrong', () => {
    expect(checkCodeOutputs({ result: 3 }, { result: { type: 'string' } })).toEqual({
      ok: false,
      error: 'Output result must be a string, got number instead.',
    });
    expect(checkCodeOutputs({ n: '3' }, { n: { type: 'number' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('n is not a number'),
    });
    expect(checkCodeOutputs({ b: 'yes' }, { b: { type: 'boolean' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('b is not a boolean'),
    });
    expect(checkCodeOutputs({ o: [] }, { o: { type: 'object' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('o is not an object'),
    });
    expect(checkCodeOutputs({ l: [1, 'a'] }, { l: { type: 'array[number]' } })).toMatchObject({
      ok: false,
      error: 'The element at index 1 of output variable `l` must be a number.',
    });
    expect(checkCodeOutputs({ m: { inner: 1 } }, { m: { type: 'object', children: { inner: { type: 'string' } } } })).toMatchObject({
      ok: false,
      error: 'Output m.inner must be a string, got number instead.',
    });
  });

  it('rejects outputs that are not declared, as Dify does', () => {
    expect(checkCodeOutputs({ result: 'a', extra: 1 }, { result: { type: 'string' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('extra is not declared'),
    });
  });

  it('limits string length, with the limit as a parameter', () => {
    expect(checkCodeOutputs({ s: 'x'.repeat(400_000) }, { s: { type: 'string' } }).ok).toBe(true);
    expect(checkCodeOutputs({ s: 'x'.repeat(400_001) }, { s: { type: 'string' } })).toEqual({
      ok: false,
      error: 'The length of output variable `s` must be less than 400000 characters',
    });
    expect(checkCodeOutputs({ s: 'abcdef' }, { s: { type: 'string' } }, { maxStringLength: 5 }).ok).toBe(false);
  });

  it("limits array lengths with Dify's defaults", () => {
    const strings = (n: number) => Array.from({ length: n }, () => 's');
    expect(checkCodeOutputs({ a: strings(30) }, { a: { type: 'array[string]' } }).ok).toBe(true);
    expect(checkCodeOutputs({ a: strings(31) }, { a: { type: 'array[string]' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('less than 30 elements'),
    });
    expect(checkCodeOutputs({ a: Array(31).fill({}) }, { a: { type: 'array[object]' } }).ok).toBe(false);
    expect(checkCodeOutputs({ a: Array(1000).fill(1) }, { a: { type: 'array[number]' } }).ok).toBe(true);
    expect(checkCodeOutputs({ a: Array(1001).fill(1) }, { a: { type: 'array[number]' } }).ok).toBe(false);
  });

  it('requires finite numbers within range and precision', () => {
    expect(checkCodeOutputs({ n: Number.NaN }, { n: { type: 'number' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('finite'),
    });
    expect(checkCodeOutputs({ n: Number.POSITIVE_INFINITY }, { n: { type: 'number' } }).ok).toBe(false);
    expect(checkCodeOutputs({ n: 1e300 }, { n: { type: 'number' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('out of range'),
    });
    expect(checkCodeOutputs({ n: 1.5e-21 }, { n: { type: 'number' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('precision'),
    });
    expect(checkCodeOutputs({ n: 0.125 }, { n: { type: 'number' } }).ok).toBe(true);
  });

  it('limits nesting to depth 5, also inside undeclared children', () => {
    const nest = (levels: number): Record<string, unknown> => (levels === 0 ? { leaf: 1 } : { child: nest(levels - 1) });
    expect(checkCodeOutputs({ o: nest(3) }, { o: { type: 'object' } }).ok).toBe(true);
    expect(checkCodeOutputs({ o: nest(5) }, { o: { type: 'object' } })).toEqual({
      ok: false,
      error: 'Depth limit 5 reached, object too deep.',
    });
  });

  it('checks values inside objects without declared children', () => {
    expect(checkCodeOutputs({ o: { list: [1, 'a'] } }, { o: { type: 'object' } })).toMatchObject({
      ok: false,
      error: expect.stringContaining('o.list is not a valid array'),
    });
  });
});
