import type * as dns from 'node:dns';
import { guardedFetch, guardedStream, HttpRequestError, HttpTimeoutError, ResponseTooLargeError } from './guarded-fetch.util';
import { createSsrfGuard, SsrfBlockedError } from './ssrf-guard.util';
import { startTestHttpServer, TestHttpServer } from '@weft/testing';

const open = createSsrfGuard({ allowedHosts: ['127.0.0.1'] });
const closed = createSsrfGuard({ allowedHosts: [] });

describe('guardedFetch', () => {
  let server: TestHttpServer;
  let other: TestHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      const path = req.url;
      if (path === '/echo') {
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.end(JSON.stringify({ method: req.method, body: req.body.toString(), auth: req.headers.authorization ?? null }));
      } else if (path === '/redirect-302') {
        res.writeHead(302, { Location: '/echo' }).end();
      } else if (path === '/redirect-307') {
        res.writeHead(307, { Location: '/echo' }).end();
      } else if (path === '/redirect-metadata') {
        res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (path === '/redirect-other') {
        res.writeHead(302, { Location: `${other.url}/echo` }).end();
      } else if (path === '/loop') {
        res.writeHead(302, { Location: '/loop' }).end();
      } else if (path === '/big-chunked') {
        res.write(Buffer.alloc(800, 'a'));
        res.write(Buffer.alloc(800, 'b'));
        res.end();
      } else if (path === '/big-declared') {
        res.setHeader('Content-Length', '5000');
        res.end(Buffer.alloc(5000, 'x'));
      } else if (path === '/hang') {
        // Never answers.
      } else if (path === '/stall-body') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('partial');
      } else {
        res.writeHead(404).end('not found');
      }
    });
    other = await startTestHttpServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ auth: req.headers.authorization ?? null, path: req.url, sent: Object.keys(req.headers).sort() }));
    });
  });

  afterAll(async () => {
    await server.close();
    await other.close();
  });

  it('refuses 127.0.0.1 without an allow-list entry and never connects', async () => {
    const before = server.requests.length;
    const error = await guardedFetch(`${server.url}/echo`, { guard: closed }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toBe('Requests to 127.0.0.1 (loopback) are not allowed; add it to SSRF_ALLOWED_HOSTS to allow it');
    expect(server.requests.length).toBe(before);
  });

  it('sends method, headers and body and returns status, flattened headers and body', async () => {
    const res = await guardedFetch(`${server.url}/echo`, {
      guard: open,
      method: 'post',
      headers: { Authorization: 'Bearer t' },
      body: 'hello',
    });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${server.url}/echo`);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
    expect(JSON.parse(res.body.toString())).toEqual({ method: 'POST', body: 'hello', auth: 'Bearer t' });
  });

  it('checks the address a host name resolves to, through the lookup the agent uses', async () => {
    const resolve = async (): Promise<dns.LookupAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    const blocking = createSsrfGuard({ allowedHosts: [], resolve });
    const error = await guardedFetch(`http://app.test:${server.port}/echo`, { guard: blocking }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toContain('app.test (resolves to a loopback address)');

    const allowing = createSsrfGuard({ allowedHosts: ['127.0.0.0/8'], resolve });
    const res = await guardedFetch(`http://app.test:${server.port}/echo`, { guard: allowing });
    expect(res.status).toBe(200);
  });

  it('follows a 302 as a body-less GET and a 307 with method and body kept', async () => {
    const moved = await guardedFetch(`${server.url}/redirect-302`, { guard: open, method: 'POST', body: 'x' });
    expect(moved.url).toBe(`${server.url}/echo`);
    expect(JSON.parse(moved.body.toString())).toMatchObject({ method: 'GET', body: '' });

    const kept = await guardedFetch(`${server.url}/redirect-307`, { guard: open, method: 'POST', body: 'x' });
    expect(JSON.parse(kept.body.toString())).toMatchObject({ method: 'POST', body: 'x' });
  });

  it('returns the 3xx itself when redirects are off', async () => {
    const res = await guardedFetch(`${server.url}/redirect-302`, { guard: open, maxRedirects: 0 });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/echo');
  });

  it('refuses a redirect from an allowed host to the metadata address', async () => {
    const error = await guardedFetch(`${server.url}/redirect-metadata`, { guard: open }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toContain('169.254.169.254 (link-local)');
  });

  it('drops the Authorization header when a redirect leaves the origin', async () => {
    const res = await guardedFetch(`${server.url}/redirect-other`, { guard: open, headers: { Authorization: 'Bearer t' } });
    expect(JSON.parse(res.body.toString())).toMatchObject({ auth: null, path: '/echo' });
  });

  it('drops every credential header, the configured ones included, when a redirect leaves the origin', async () => {
    const headers = { 'X-Secret-Token': 's1', 'X-Api-Key': 's2', 'Api-Key': 's3', Cookie: 'sid=s4', 'X-Trace': 'kept' };
    const res = await guardedFetch(`${server.url}/redirect-other`, { guard: open, headers, credentialHeaders: ['x-secret-token'] });
    const sent = (JSON.parse(res.body.toString()) as { sent: string[] }).sent;
    expect(sent).toContain('x-trace');
    for (const name of ['x-secret-token', 'x-api-key', 'api-key', 'cookie']) expect(sent).not.toContain(name);
  });

  it('stops after maxRedirects hops', async () => {
    const error = await guardedFetch(`${server.url}/loop`, { guard: open, maxRedirects: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ code: 'too_many_redirects' });
  });

  it('aborts a chunked body that grows past maxResponseBytes', async () => {
    const error = await guardedFetch(`${server.url}/big-chunked`, { guard: open, maxResponseBytes: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toBe(`Response from ${server.url}/big-chunked is larger than the limit of 1000 bytes`);
    const ok = await guardedFetch(`${server.url}/big-chunked`, { guard: open, maxResponseBytes: 1600 });
    expect(ok.body.length).toBe(1600);
  });

  it('refuses a body whose declared length is over the limit', async () => {
    await expect(guardedFetch(`${server.url}/big-declared`, { guard: open, maxResponseBytes: 4096 })).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    );
  });

  it('times out waiting for a response', async () => {
    const started = Date.now();
    const error = await guardedFetch(`${server.url}/hang`, { guard: open, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error).toMatchObject({ phase: 'response', timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out while a body stalls', async () => {
    const error = await guardedFetch(`${server.url}/stall-body`, { guard: open, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error).toMatchObject({ phase: 'read' });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await guardedFetch(`${server.url}/hang`, { guard: open, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ code: 'aborted' });
  });
});

describe('guardedStream', () => {
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url === '/sse') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        let n = 0;
        const tick = setInterval(() => {
          n += 1;
          res.write(`data: ${n}\n\n`);
          if (n === 3) {
            clearInterval(tick);
            res.end();
          }
        }, 10);
      } else if (req.url === '/stall') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('data: 1\n\n');
      } else {
        res.writeHead(200).end(Buffer.alloc(3000, 'z'));
      }
    });
  });

  afterAll(() => server.close());

  it('yields chunks in arrival order', async () => {
    const res = await guardedStream(`${server.url}/sse`, { guard: open });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const text = (await res.readAll()).toString();
    expect(text).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n');
  });

  it('fails when the stream goes quiet for longer than the idle timeout', async () => {
    const res = await guardedStream(`${server.url}/stall`, { guard: open, idleTimeoutMs: 100 });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of res.body) seen.push(chunk.toString());
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['data: 1\n\n']);
    expect(error).toBeInstanceOf(HttpTimeoutError);
  });

  it('fails when the streamed body grows past the limit', async () => {
    const res = await guardedStream(`${server.url}/big`, { guard: open, maxResponseBytes: 1000 });
    await expect(res.readAll()).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('is guarded like guardedFetch', async () => {
    await expect(guardedStream(`${server.url}/sse`, { guard: closed })).rejects.toBeInstanceOf(SsrfBlockedError);
  });
});
