import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { isBlankJsonBody, jsonBodyParser, jsonBodyProblem, urlHasNul } from './json-body-guard.util';

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

describe('isBlankJsonBody', () => {
  it('is true for an empty body and JSON whitespace only', () => {
    for (const text of ['', ' ', '\r\n', ' \t\n  ']) expect(isBlankJsonBody(Buffer.from(text))).toBe(true);
  });

  it('is false for anything else, JSON null and a non-breaking space included', () => {
    for (const text of ['{}', ' x ', 'null', '\u00a0', '\f']) expect(isBlankJsonBody(Buffer.from(text))).toBe(false);
  });
});

describe('jsonBodyParser', () => {
  /** Runs the parser on a request with a JSON content type and `text` as its body; answers req.body or the error. */
  async function parse(text: string, method = 'POST'): Promise<{ body?: unknown; error?: { type?: string } }> {
    const req = Object.assign(Readable.from([Buffer.from(text)]), {
      headers: { 'content-length': String(Buffer.byteLength(text)), 'content-type': 'application/json' },
      method,
      url: '/v1/x',
    }) as unknown as Request;
    return new Promise((resolve) =>
      jsonBodyParser('1kb')(req, {} as Response, (err?: unknown) =>
        resolve(err ? { error: err as { type?: string } } : { body: (req as { body?: unknown }).body }),
      ),
    );
  }

  it('reads an empty or whitespace-only body as no body, for every method', async () => {
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH'])
      for (const text of ['', '  ', '\r\n']) {
        const parsed = await parse(text, method);
        expect(parsed.error).toBeUndefined();
        expect(parsed).toHaveProperty('body', undefined);
      }
  });

  it('parses other bodies as before, refusing malformed, hostile and oversized ones', async () => {
    expect(await parse(' {"user": "ada"} ')).toEqual({ body: { user: 'ada' } });
    expect((await parse('{"user": ')).error?.type).toBe('entity.parse.failed');
    expect((await parse('null')).error?.type).toBe('entity.parse.failed');
    expect((await parse('{"a": "\\u0000"}')).error?.type).toBe('entity.verify.failed');
    expect((await parse(JSON.stringify({ a: 'x'.repeat(2000) }))).error?.type).toBe('entity.too.large');
  });
});
