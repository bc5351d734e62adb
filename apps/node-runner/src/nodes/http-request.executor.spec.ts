import { createSsrfGuard } from '../http/ssrf-guard.util';
import { startTestHttpServer, type TestHttpServer } from '../http/test-http-server.util';
import { HttpRequestExecutor } from './http-request.executor';
import { testContext, testJob } from './node-test.util';

describe('HttpRequestExecutor', () => {
  let server: TestHttpServer;
  const executor = new HttpRequestExecutor({ guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }), maxResponseBytes: 100_000, maxTimeoutSeconds: 5 });

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url.startsWith('/missing')) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such thing');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Server': 'test' });
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers['authorization'] ?? null, body: req.body.toString() }));
    });
  });
  afterAll(() => server.close());

  it('sends the rendered request and returns status, body and headers', async () => {
    const job = testJob(
      'http-request',
      {
        method: 'post',
        url: `${server.url}/items/{{#start.id#}}`,
        params: 'q:{{#start.query#}}',
        headers: 'X-Trace:abc',
        authorization: { type: 'api-key', config: { type: 'bearer', api_key: 'secret-token-1' } },
        body: { type: 'json', data: [{ type: 'text', value: '{"name": "{{#start.query#}}"}' }] },
      },
      { start: { id: 42, query: 'wool' } },
    );
    const result = await executor.execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    expect(result.outputs['status_code']).toBe(200);
    expect(JSON.parse(result.outputs['body'] as string)).toEqual({ method: 'POST', url: '/items/42?q=wool', auth: 'Bearer secret-token-1', body: '{"name":"wool"}' });
    expect(result.outputs['headers']).toMatchObject({ 'x-server': 'test' });
    expect(result.outputs['files']).toEqual([]);
    const log = (result.processData as { request: string }).request;
    expect(log).toMatch(/^POST \/items\/42\?q=wool HTTP\/1\.1\r\n/);
    expect(log).not.toContain('secret-token-1');
  });

  it('refuses the cloud metadata address', async () => {
    const job = testJob('http-request', { method: 'get', url: 'http://169.254.169.254/latest/meta-data/' });
    const result = await executor.execute(job, testContext(job));
    expect(result).toMatchObject({ status: 'failed', errorType: 'HttpRequestNodeError' });
    expect(result.error).toMatch(/169\.254\.169\.254.*not allowed|not allowed.*169\.254\.169\.254/);
  });

  it('lets a 404 through, unless an error strategy wants it as a failure', async () => {
    const plain = testJob('http-request', { method: 'get', url: `${server.url}/missing` });
    await expect(executor.execute(plain, testContext(plain))).resolves.toMatchObject({ status: 'succeeded', outputs: { status_code: 404, body: 'no such thing' } });

    const handled = testJob('http-request', { method: 'get', url: `${server.url}/missing`, error_strategy: 'fail-branch' });
    await expect(executor.execute(handled, testContext(handled))).resolves.toMatchObject({
      status: 'failed',
      errorType: 'HTTPResponseCodeError',
      error: 'Request failed with status code 404',
      outputs: { status_code: 404 },
    });
  });

  it('reports a bad method with its Dify error type', async () => {
    const job = testJob('http-request', { method: 'fetch', url: `${server.url}/` });
    await expect(executor.execute(job, testContext(job))).resolves.toMatchObject({ status: 'failed', errorType: 'InvalidHttpMethodError' });
  });
});
