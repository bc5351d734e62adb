import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTING_FORMATTERS, redactSecrets, loggableUrl } from './redaction';

/** A logger configured as the services' is, writing its lines into `lines`. */
function capture(): { lines: string[]; logger: pino.Logger } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: pino({ formatters: REDACTING_FORMATTERS }, sink) };
}

describe('log redaction', () => {
  it('replaces secrets in request headers and payloads', () => {
    const { lines, logger } = capture();
    logger.info({
      req: { headers: { authorization: 'Bearer app-secret', cookie: 'sid=1', 'x-api-key': 'k1' } },
      body: { password: 'hunter2', api_key: 'sk-live', name: 'visible' },
      login: { refresh_token: 'rt-1', access_token: 'at-1' },
    });
    const text = lines.join('');
    for (const secret of ['app-secret', 'sid=1', 'k1', 'hunter2', 'sk-live', 'rt-1', 'at-1']) expect(text).not.toContain(secret);
    expect(text).toContain('visible');
    expect(text).toContain('[redacted]');
  });

  it('replaces secrets at the top level and nested at any depth, in arrays too, keeping the rest', () => {
    const { lines, logger } = capture();
    logger.info({
      authorization: 'Bearer top-level',
      body: { credentials: { openai_api_key: 'sk-nested' }, provider: 'openai' },
      err: { config: { headers: { authorization: 'Bearer deep', 'x-api-key': 'xk-deep' } } },
      request: { headers: { cookie: 'sid=2' }, meta: { secret_key: 'sk-3', new_password: 'pw-3' } },
      token: 'app-top',
      very: { deeply: { nested: { inside: { a: { list: [{ ApiKey: 'sk-six-deep' }, 'kept-item'] } } } } },
    });
    const text = lines.join('');
    for (const secret of ['top-level', 'sk-nested', 'Bearer deep', 'xk-deep', 'sid=2', 'sk-3', 'pw-3', 'app-top', 'sk-six-deep'])
      expect(text).not.toContain(secret);
    expect(text).toContain('"provider":"openai"');
    expect(text).toContain('kept-item');
  });

  it("redacts the logger's base bindings", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    pino({ base: { service: 'gateway', settings: { secret: 'base-secret' } }, formatters: REDACTING_FORMATTERS }, sink).info('hello');
    expect(lines.join('')).not.toContain('base-secret');
    expect(lines.join('')).toContain('"service":"gateway"');
  });

  it('redacts inside an error and keeps its message and stack for the error serializer', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('upstream refused'), { config: { headers: { Authorization: 'Bearer in-error' } } });
    logger.error({ err: error }, 'call failed');
    const line = JSON.parse(lines[0]!) as {
      err: { message: string; stack: string; type: string; config: { headers: { Authorization: string } } };
    };
    expect(line.err.message).toBe('upstream refused');
    expect(line.err.type).toBe('Error');
    expect(line.err.stack).toContain('upstream refused');
    expect(line.err.config.headers.Authorization).toBe('[redacted]');
    // The error the caller holds is not changed.
    expect(error.config.headers.Authorization).toBe('Bearer in-error');
  });

  it('copies only what it changes: an object without secrets comes back as itself', () => {
    const clean = { a: { b: [1, { c: 'd' }] }, n: null };
    expect(redactSecrets(clean)).toBe(clean);
    const mixed = { keep: { x: 1 }, nested: { password: 'p' } };
    const redacted = redactSecrets(mixed);
    expect(redacted).not.toBe(mixed);
    expect(redacted.keep).toBe(mixed.keep);
    expect(redacted.nested).toEqual({ password: '[redacted]' });
    expect(mixed.nested.password).toBe('p');
  });

  it('leaves other class instances and cycles alone instead of walking them', () => {
    class Connection {
      password = 'instance-field';
    }
    const instance = new Connection();
    expect(redactSecrets({ connection: instance }).connection).toBe(instance);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => redactSecrets(cyclic)).not.toThrow();
  });
});

describe('loggableUrl', () => {
  it('keeps the path and harmless query values, and redacts tokens, end users and everything unknown', () => {
    expect(loggableUrl('/console/api/activate/check?token=invite-secret')).toBe('/console/api/activate/check?token=%5Bredacted%5D');
    expect(loggableUrl('/v1/conversations?user=alice%40example.com&limit=20&last_id=abc&sort_by=-updated_at')).toBe(
      '/v1/conversations?user=%5Bredacted%5D&limit=20&last_id=abc&sort_by=-updated_at',
    );
    expect(loggableUrl('/v1/datasets?keyword=salary%20review&page=2')).toBe('/v1/datasets?keyword=%5Bredacted%5D&page=2');
    expect(loggableUrl('/v1/x?%75ser=bob&flag')).toBe('/v1/x?%75ser=%5Bredacted%5D&flag');
  });

  it('leaves URLs without a query as they are', () => {
    expect(loggableUrl('/v1/workflows/run')).toBe('/v1/workflows/run');
    expect(loggableUrl('/v1/workflows/run?')).toBe('/v1/workflows/run');
  });
});
