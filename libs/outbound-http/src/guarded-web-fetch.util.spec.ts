import { startTestHttpServer, TestHttpServer } from '@weft/testing';
import { HttpTimeoutError } from './guarded-fetch.util';
import { guardedWebFetch } from './guarded-web-fetch.util';
import { createSsrfGuard, SsrfBlockedError } from './ssrf-guard.util';

const open = createSsrfGuard({ allowedHosts: ['127.0.0.1'] });
const closed = createSsrfGuard({ allowedHosts: [] });

describe('guardedWebFetch', () => {
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url === '/echo') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ auth: req.headers.authorization ?? null, body: req.body.toString(), method: req.method }));
      } else if (req.url === '/redirect') {
        res.writeHead(307, { Location: '/echo' }).end();
      } else if (req.url === '/metadata') {
        res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/accepted') {
        res.writeHead(202).end();
      } else if (req.url === '/no-content') {
        res.writeHead(204).end();
      } else if (req.url === '/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('data: one\n\n');
        setTimeout(() => res.end('data: two\n\n'), 20);
      } else if (req.url === '/stall') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write('data: one\n\n');
      } else {
        res.writeHead(404).end('not found');
      }
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('sends the method, headers and body and answers a web Response with the URL it came from', async () => {
    const fetch = guardedWebFetch({ guard: open, timeoutMs: 2000 });
    const res = await fetch(new URL(`${server.url}/echo`), {
      body: JSON.stringify({ a: 1 }),
      headers: new Headers({ Authorization: 'Bearer t', 'Content-Type': 'application/json' }),
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.url).toBe(`${server.url}/echo`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ auth: 'Bearer t', body: '{"a":1}', method: 'POST' });
  });

  it('refuses an internal address before connecting, with the guard error', async () => {
    const before = server.requests.length;
    const error = await guardedWebFetch({ guard: closed, timeoutMs: 2000 })(`${server.url}/echo`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect(server.requests.length).toBe(before);
  });

  it('follows redirects through the guard, and answers the 3xx itself when asked for manual redirects', async () => {
    const fetch = guardedWebFetch({ guard: open, timeoutMs: 2000 });
    expect((await fetch(`${server.url}/redirect`)).status).toBe(200);
    const manual = await fetch(`${server.url}/redirect`, { redirect: 'manual' });
    expect(manual.status).toBe(307);
    expect(manual.headers.get('location')).toBe('/echo');
    await expect(fetch(`${server.url}/metadata`)).rejects.toBeInstanceOf(SsrfBlockedError);
    await expect(fetch(`${server.url}/redirect`, { redirect: 'error' })).rejects.toThrow(/redirect/);
  });

  it('answers bodiless statuses without a body', async () => {
    const fetch = guardedWebFetch({ guard: open, timeoutMs: 2000 });
    const accepted = await fetch(`${server.url}/accepted`, { body: '{}', method: 'POST' });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe('');
    const none = await fetch(`${server.url}/no-content`);
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
  });

  it('streams the body as it arrives, and ends a stream that stays silent past the idle timeout', async () => {
    const fetch = guardedWebFetch({ guard: open, idleTimeoutMs: 200, timeoutMs: 2000 });
    expect(await (await fetch(`${server.url}/events`)).text()).toBe('data: one\n\ndata: two\n\n');
    const stalled = await fetch(`${server.url}/stall`);
    const reader = stalled.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('data: one\n\n');
    await expect(reader.read()).rejects.toBeInstanceOf(HttpTimeoutError);
  });

  it('aborts with the signal it was built with', async () => {
    const controller = new AbortController();
    const fetch = guardedWebFetch({ guard: open, signal: controller.signal, timeoutMs: 2000 });
    const res = await fetch(`${server.url}/stall`);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort(new Error('stopped by the caller'));
    await expect(reader.read()).rejects.toThrow('stopped by the caller');
  });
});
