import {
  comparePyStrings,
  isTruthy,
  parsePythonFloat,
  parsePythonInt,
  pyEquals,
  pyLength,
  pyListRepr,
  pyStr,
  toPythonJson,
} from './python-semantics.util';

describe('Python semantics for JSON values', () => {
  it('isTruthy follows Python bool()', () => {
    expect([null, undefined, false, 0, '', [], {}].map((v) => isTruthy(v))).toEqual([false, false, false, false, false, false, false]);
    expect([true, -1, 0.1, ' ', [0], { a: null }].map((v) => isTruthy(v))).toEqual([true, true, true, true, true, true]);
  });

  it('pyEquals treats booleans as numbers and compares containers by content', () => {
    expect(pyEquals(true, 1)).toBe(true);
    expect(pyEquals(false, 0)).toBe(true);
    expect(pyEquals('1', 1)).toBe(false);
    expect(pyEquals([1, { a: 'x' }], [1, { a: 'x' }])).toBe(true);
    expect(pyEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(pyEquals(null, undefined)).toBe(true);
    expect(pyEquals(null, 0)).toBe(false);
  });

  it('toPythonJson matches json.dumps(ensure_ascii=False)', () => {
    expect(toPythonJson({ a: [1, 'é', null, true], b: { c: 'x"y' } })).toBe('{"a": [1, "é", null, true], "b": {"c": "x\\"y"}}');
    expect(toPythonJson({ skip: undefined, keep: 1 })).toBe('{"keep": 1}');
  });

  it('pyListRepr and pyStr match Python’s str()', () => {
    expect(pyListRepr(['a', "it's", 'x\\y'])).toBe(`['a', "it's", 'x\\\\y']`);
    expect(pyListRepr([])).toBe('[]');
    expect(pyStr(null)).toBe('None');
    expect(pyStr(true)).toBe('True');
    expect(pyStr(2.5)).toBe('2.5');
  });

  it('parses numbers like Python float() and int()', () => {
    expect(parsePythonFloat(' 1.5 ')).toBe(1.5);
    expect(parsePythonFloat('1e3')).toBe(1000);
    expect(parsePythonFloat('.5')).toBe(0.5);
    expect(parsePythonFloat('-inf')).toBe(-Infinity);
    expect(parsePythonFloat('nan')).toBeNaN();
    expect(parsePythonFloat('0x10')).toBeNull();
    expect(parsePythonFloat('')).toBeNull();
    expect(parsePythonFloat('1.2.3')).toBeNull();
    expect(parsePythonInt(' -42 ')).toBe(-42);
    expect(parsePythonInt('4.0')).toBeNull();
    expect(parsePythonInt('1e3')).toBeNull();
  });

  it('counts and orders strings by code point', () => {
    expect(pyLength('a😀')).toBe(2);
    expect(comparePyStrings('\uffff', '😀')).toBe(-1);
    expect(comparePyStrings('b', 'a')).toBe(1);
    expect(comparePyStrings('ab', 'ab')).toBe(0);
    expect(comparePyStrings('a', 'ab')).toBe(-1);
  });
});
