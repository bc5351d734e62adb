import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformFileSync } from '@swc/core';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';

// Sentry's SDK is loaded only when a DSN is configured: this checks the on-demand path still reports, to a local
// server speaking Sentry's envelope endpoint. The SDK hooks process-wide machinery (diagnostics channels, the HTTP
// modules) that would stay hooked in the Jest worker and disturb later test files, so sentry.ts runs in a child
// process of its own, compiled here as Jest would compile it.
const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Runs `script` (CommonJS, with `./sentry` beside it) in a fresh Node process; resolves with its exit code. */
function runWithSentry(script: string): Promise<number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sentry-'));
  const compiled = transformFileSync(join(__dirname, 'sentry.ts'), {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  writeFileSync(join(dir, 'sentry.js'), compiled.code);
  writeFileSync(join(dir, 'run.js'), script);
  const child = spawn(process.execPath, [join(dir, 'run.js')], {
    env: { NODE_PATH: join(REPO_ROOT, 'node_modules') },
    stdio: 'inherit',
  });
  return new Promise<number | null>((resolve) => child.on('exit', resolve)).finally(() => rmSync(dir, { force: true, recursive: true }));
}

describe('error reporting', () => {
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('does nothing before a DSN is configured, and sends an error with its correlation id once one is', async () => {
    const code = await runWithSentry(`
      const { flushErrorReporting, initErrorReporting, reportError } = require('./sentry');
      (async () => {
        initErrorReporting(undefined, 'gateway', '1.0.0');
        reportError(new Error('not sent'), 'corr-0');
        await flushErrorReporting(500);
        // Without a DSN nothing was loaded: the SDK is not in the module cache.
        if (Object.keys(require.cache).some((path) => path.includes('@sentry'))) process.exit(3);
        initErrorReporting('http://publickey@127.0.0.1:${server.port}/42', 'gateway', '1.0.0');
        reportError(new Error('boom in a handler'), 'corr-123');
        await flushErrorReporting(5000);
      })().then(() => process.exit(0), (error) => { console.error(error); process.exit(2); });
    `);
    expect(code).toBe(0);
    const envelopes = server.requests.filter((r) => r.url.startsWith('/api/42/envelope/'));
    expect(envelopes.length).toBeGreaterThanOrEqual(1);
    const body = envelopes.map((r) => r.body.toString('utf8')).join('\n');
    // The exceptions' messages (the stack's source context may quote the script's other lines).
    expect(body).toContain('"value":"boom in a handler"');
    expect(body).not.toContain('"value":"not sent"');
    expect(body).toContain('"correlation_id":"corr-123"');
    expect(body).toContain('"server_name":"gateway"');
  });
});
