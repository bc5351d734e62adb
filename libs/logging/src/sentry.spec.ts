import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { flushErrorReporting, initErrorReporting, reportError } from './sentry';

// Sentry's SDK is loaded only when a DSN is configured: this checks the on-demand path still reports, to a local
// server speaking Sentry's envelope endpoint.
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

  it('does nothing before a DSN is configured', async () => {
    initErrorReporting(undefined, 'gateway', '1.0.0');
    reportError(new Error('not sent'), 'corr-0');
    await flushErrorReporting(500);
    expect(server.requests).toHaveLength(0);
  });

  it('sends an error with its correlation id once a DSN is configured', async () => {
    initErrorReporting(`http://publickey@127.0.0.1:${server.port}/42`, 'gateway', '1.0.0');
    reportError(new Error('boom in a handler'), 'corr-123');
    await flushErrorReporting(5000);
    const envelopes = server.requests.filter((r) => r.url.startsWith('/api/42/envelope/'));
    expect(envelopes.length).toBeGreaterThanOrEqual(1);
    const body = envelopes.map((r) => r.body.toString('utf8')).join('\n');
    expect(body).toContain('boom in a handler');
    expect(body).toContain('"correlation_id":"corr-123"');
    expect(body).toContain('"server_name":"gateway"');
  });
});
