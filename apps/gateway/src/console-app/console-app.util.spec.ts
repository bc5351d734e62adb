import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import { consoleAppMiddleware, consoleCsp, defaultConsoleDir, isConsolePage, loadConsoleBundle } from './console-app.util';

interface Sent {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function call(handler: ReturnType<typeof consoleAppMiddleware>, method: string, path: string): Sent | 'next' {
  const sent: Sent = { status: 200, headers: {}, body: undefined };
  let passed = false;
  const res = {
    setHeader: (k: string, v: string) => (sent.headers[k.toLowerCase()] = v),
    status: (s: number) => ((sent.status = s), res),
    json: (b: unknown) => (sent.body = b),
    send: (b: unknown) => (sent.body = Buffer.isBuffer(b) ? b.toString('utf8') : b),
  };
  handler({ method, path } as Request, res as unknown as Response, () => (passed = true));
  return passed ? 'next' : sent;
}

describe('the console pages served by the gateway', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<meta name="csp-nonce" content="__CSP_NONCE__"><script src="/console/assets/a.js"></script>');
    writeFileSync(join(dir, 'assets', 'a.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells console pages from the console API', () => {
    expect(isConsolePage('/console')).toBe(true);
    expect(isConsolePage('/console/')).toBe(true);
    expect(isConsolePage('/console/apps/1/runs')).toBe(true);
    expect(isConsolePage('/console/api')).toBe(false);
    expect(isConsolePage('/console/api/apps')).toBe(false);
    expect(isConsolePage('/console/apix')).toBe(true);
    expect(isConsolePage('/consoles')).toBe(false);
    expect(isConsolePage('/v1/apps')).toBe(false);
  });

  it('answers index.html with a fresh nonce in the page and the CSP for any app route, files as they are', () => {
    const handler = consoleAppMiddleware(loadConsoleBundle(dir));
    const a = call(handler, 'GET', '/console/apps/x/runs') as Sent;
    const b = call(handler, 'GET', '/console') as Sent;
    const nonceOf = (s: Sent) => /'nonce-([^']+)'/.exec(s.headers['content-security-policy']!)![1]!;
    expect(a.body).toContain(`content="${nonceOf(a)}"`);
    expect(nonceOf(a)).not.toBe(nonceOf(b));
    expect(a.headers['cache-control']).toBe('no-store');
    const js = call(handler, 'GET', '/console/assets/a.js') as Sent;
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((call(handler, 'GET', '/console/favicon.svg') as Sent).headers['content-type']).toBe('image/svg+xml');
  });

  it('answers 404 for a missing file or a path climbing out, passes on the API and other methods', () => {
    const handler = consoleAppMiddleware(loadConsoleBundle(dir));
    expect((call(handler, 'GET', '/console/assets/missing.js') as Sent).status).toBe(404);
    expect((call(handler, 'GET', '/console/../package.json') as Sent).status).toBe(404);
    expect((call(handler, 'GET', '/console/assets/%2e%2e/index.html') as Sent).status).toBe(404);
    expect(call(handler, 'GET', '/console/api/apps')).toBe('next');
    expect(call(handler, 'POST', '/console/apps')).toBe('next');
    expect(call(handler, 'GET', '/v1/info')).toBe('next');
  });

  it('says the console is not built when there is no build', () => {
    const handler = consoleAppMiddleware(loadConsoleBundle(join(dir, 'nothing-here')));
    expect(call(handler, 'GET', '/console')).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('has a strict policy: no inline scripts, no outside origins, never framed', () => {
    const csp = consoleCsp('abc');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'nonce-abc'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toContain('unsafe');
  });

  it('finds dist/apps/console from the compiled gateway and from its sources', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    expect(defaultConsoleDir(join(root, 'dist', 'apps', 'gateway', 'src', 'console-app'))).toBe(join(root, 'dist', 'apps', 'console'));
    expect(defaultConsoleDir(__dirname)).toBe(join(root, 'dist', 'apps', 'console'));
  });
});
