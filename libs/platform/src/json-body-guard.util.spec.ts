import { jsonBodyProblem, urlHasNul } from './json-body-guard.util';

const check = (text: string, depth?: number) => jsonBodyProblem(Buffer.from(text), depth);

describe('jsonBodyProblem', () => {
  it('accepts ordinary bodies, brackets and escapes inside strings included', () => {
    expect(check('{"a": [1, {"b": "x"}], "c": "[[[{{{"}')).toBeNull();
    expect(check('{"a": "quote \\" and backslash \\\\ and \\u0001 and \\\\u0000 as text"}')).toBeNull();
    expect(check('[[[1]]]', 3)).toBeNull();
  });

  it('refuses nesting deeper than the limit, counting only structure outside strings', () => {
    expect(check('[[[[1]]]]', 3)).toMatch(/more than 3 levels/);
    expect(check('{"a":{"a":{"a":{"a":1}}}}', 3)).toMatch(/more than 3 levels/);
    expect(check(`{"a": "${'['.repeat(100)}"}`, 3)).toBeNull();
    expect(check('['.repeat(10_000) + ']'.repeat(10_000))).toMatch(/more than 64 levels/);
  });

  it('refuses a NUL character in any string, key or value, but not an escaped backslash before u0000', () => {
    expect(check('{"a": "x\\u0000y"}')).toMatch(/NUL/);
    expect(check('{"x\\u0000": 1}')).toMatch(/NUL/);
    expect(check('{"a": "\\\\\\u0000"}')).toMatch(/NUL/);
    expect(check('{"a": "\\\\u0000"}')).toBeNull();
  });
});

describe('urlHasNul', () => {
  it('finds %00 anywhere in the URL', () => {
    expect(urlHasNul('/v1/messages?user=a%00b')).toBe(true);
    expect(urlHasNul('/v1/messages?user=a%2500b')).toBe(false);
  });
});
