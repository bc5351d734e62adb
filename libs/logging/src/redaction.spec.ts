import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS } from './redaction';

describe('log redaction', () => {
  it('replaces secrets in request headers and payloads', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
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

  it('replaces secrets at the top level and nested a few levels deep, keeping the rest', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      authorization: 'Bearer top-level',
      body: { credentials: { openai_api_key: 'sk-nested' }, provider: 'openai' },
      err: { config: { headers: { authorization: 'Bearer deep', 'x-api-key': 'xk-deep' } } },
      request: { headers: { cookie: 'sid=2' }, meta: { secret_key: 'sk-3', new_password: 'pw-3' } },
      token: 'app-top',
    });
    const text = lines.join('');
    for (const secret of ['top-level', 'sk-nested', 'Bearer deep', 'xk-deep', 'sid=2', 'sk-3', 'pw-3', 'app-top']) expect(text).not.toContain(secret);
    expect(text).toContain('"provider":"openai"');
  });
});
