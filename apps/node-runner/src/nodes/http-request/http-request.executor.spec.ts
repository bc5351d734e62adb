import type { ServerResponse } from 'node:http';
import { WorkflowFileReader } from '../../files/workflow-file-reader.service';
import { createSsrfGuard } from '@weft/outbound-http';
import { startTestHttpServer, type RecordedRequest, type TestHttpServer } from '@weft/testing';
import { HttpRequestExecutor } from './http-request.executor';
import { failureOf, outputsOf, testContext, testJob, testToolFiles, testUploads } from '../node-test.util';

const WORKSPACE = testJob('http-request', {}).workspaceId;
const REPORT_ID = '3f0c6a52-4d8e-4b1a-9c7e-2a5b6c7d8e9f';
const OTHER_WORKSPACE = '9b8a7c6d-5e4f-4321-8abc-def012345678';
const FOREIGN_ID = '0d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6';
// Not valid UTF-8 and holding CR LF, so any re-encoding or trimming on the way shows.
const REPORT_BYTES = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x00, 0xff, 0xfe, 0x80]);
const PIXEL_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xc3]);

/** The parts of a multipart body: each part's headers as text and its content as bytes. */
function multipartParts(req: RecordedRequest): { headers: string; data: Buffer }[] {
  const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1];
  if (!boundary) throw new Error(`no boundary in ${req.headers['content-type']}`);
  const parts: { headers: string; data: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = req.body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (req.body.subarray(start, start + 2).toString() === '--') break;
    const next = req.body.indexOf(delimiter, start);
    if (next < 0) throw new Error('multipart body is not closed');
    // Each part sits between "\r\n" after the delimiter and "\r\n" before the next one.
    const raw = req.body.subarray(start + 2, next - 2);
    const split = raw.indexOf('\r\n\r\n');
    parts.push({ headers: raw.subarray(0, split).toString('utf8'), data: raw.subarray(split + 4) });
    at = next;
  }
  return parts;
}

/** Answers 200 when `check` holds for what the server received, else 400 with the reason. */
function verdict(res: ServerResponse, check: () => void): void {
  try {
    check();
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('received');
  } catch (error) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end((error as Error).message);
  }
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

describe('HttpRequestExecutor', () => {
  let server: TestHttpServer;
  const guard = createSsrfGuard({ allowedHosts: ['127.0.0.1'] });
  const uploads = testUploads({
    [`${WORKSPACE}/${REPORT_ID}`]: { data: REPORT_BYTES, extension: 'pdf', mimeType: 'application/pdf', name: 'report.pdf' },
    [`${OTHER_WORKSPACE}/${FOREIGN_ID}`]: { data: Buffer.from('secret'), extension: 'txt', mimeType: 'text/plain', name: 'secret.txt' },
  });
  const files = new WorkflowFileReader({ guard, maxResponseBytes: 100_000, timeoutMs: 5000, toolFiles: testToolFiles(), uploads });
  const executor = new HttpRequestExecutor({ files, guard, maxResponseBytes: 100_000, maxTimeoutSeconds: 5 });

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url === '/pixel.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' }).end(PIXEL_BYTES);
        return;
      }
      if (req.url === '/form') {
        verdict(res, () => {
          const parts = multipartParts(req);
          assert(parts.length === 2, `expected 2 parts, got ${parts.length}`);
          assert(
            parts[0].headers === 'Content-Disposition: form-data; name="title"' && parts[0].data.toString() === 'Quarterly report',
            'bad text part',
          );
          assert(
            parts[1].headers ===
              'Content-Disposition: form-data; name="attachment"; filename="report.pdf"\r\nContent-Type: application/pdf',
            `bad file part headers: ${parts[1].headers}`,
          );
          assert(parts[1].data.equals(REPORT_BYTES), `file bytes differ: ${parts[1].data.toString('hex')}`);
        });
        return;
      }
      if (req.url === '/binary') {
        verdict(res, () => {
          assert(req.headers['content-type'] === 'image/png', `bad content type ${req.headers['content-type']}`);
          assert(req.body.equals(PIXEL_BYTES), `body differs: ${req.body.toString('hex')}`);
        });
        return;
      }
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
    expect(outputsOf(result)['status_code']).toBe(200);
    expect(JSON.parse(outputsOf(result)['body'] as string)).toEqual({
      method: 'POST',
      url: '/items/42?q=wool',
      auth: 'Bearer secret-token-1',
      body: '{"name":"wool"}',
    });
    expect(outputsOf(result)['headers']).toMatchObject({ 'x-server': 'test' });
    expect(outputsOf(result)['files']).toEqual([]);
    const log = (result.processData as { request: string }).request;
    expect(log).toMatch(/^POST \/items\/42\?q=wool HTTP\/1\.1\r\n/);
    expect(log).not.toContain('secret-token-1');
  });

  it("keeps the node's configured API-key header from a host it is redirected to", async () => {
    // Same host, another port: another origin, which should never see the node's credential.
    const elsewhere = await startTestHttpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ headers: Object.keys(req.headers).sort() }));
    });
    const bouncer = await startTestHttpServer((_req, res) => {
      res.writeHead(302, { Location: `${elsewhere.url}/landing` }).end();
    });
    try {
      const job = testJob('http-request', {
        method: 'get',
        url: `${bouncer.url}/start`,
        headers: 'X-Trace:abc',
        authorization: { type: 'api-key', config: { type: 'custom', header: 'X-Secret-Token', api_key: 'node-secret-1' } },
      });
      const result = await executor.execute(job, testContext(job));
      expect(result.status).toBe('succeeded');
      const received = (JSON.parse(String(outputsOf(result)['body'])) as { headers: string[] }).headers;
      expect(received).toContain('x-trace');
      expect(received).not.toContain('x-secret-token');
    } finally {
      await bouncer.close();
      await elsewhere.close();
    }
  });

  it('refuses the cloud metadata address', async () => {
    const job = testJob('http-request', { method: 'get', url: 'http://169.254.169.254/latest/meta-data/' });
    const result = await executor.execute(job, testContext(job));
    expect(result).toMatchObject({ status: 'failed', errorType: 'HttpRequestNodeError' });
    expect(failureOf(result).error).toMatch(/169\.254\.169\.254.*not allowed|not allowed.*169\.254\.169\.254/);
  });

  it('lets a 404 through, unless an error strategy wants it as a failure', async () => {
    const plain = testJob('http-request', { method: 'get', url: `${server.url}/missing` });
    await expect(executor.execute(plain, testContext(plain))).resolves.toMatchObject({
      status: 'succeeded',
      outputs: { status_code: 404, body: 'no such thing' },
    });

    const handled = testJob('http-request', { method: 'get', url: `${server.url}/missing`, error_strategy: 'fail-branch' });
    await expect(executor.execute(handled, testContext(handled))).resolves.toMatchObject({
      status: 'failed',
      errorType: 'HTTPResponseCodeError',
      error: 'Request failed with status code 404',
      outputs: { status_code: 404 },
    });
  });

  it('uploads a form-data file read from the workspace uploads, next to the text fields', async () => {
    const report = {
      dify_model_identity: '__dify__file__',
      extension: '.pdf',
      filename: 'report.pdf',
      mime_type: 'application/pdf',
      related_id: REPORT_ID,
      transfer_method: 'local_file',
      type: 'document',
    };
    const job = testJob(
      'http-request',
      {
        method: 'post',
        url: `${server.url}/form`,
        body: {
          type: 'form-data',
          data: [
            { key: 'attachment', type: 'file', file: ['start', 'report'] },
            { key: 'title', type: 'text', value: '{{#start.title#}}' },
            { key: 'optional', type: 'file', file: ['start', 'not_given'] },
          ],
        },
      },
      { start: { report, title: 'Quarterly report' } },
    );
    const result = await executor.execute(job, testContext(job));
    expect(result.outputs).toMatchObject({ status_code: 200, body: 'received' });
    expect(result.status).toBe('succeeded');
    expect(uploads.reads).toContain(`${WORKSPACE}/${REPORT_ID}`);
    const log = (result.processData as { request: string }).request;
    expect(log).toContain(`<file_content_binary: 'report.pdf', type='application/pdf', size=${REPORT_BYTES.length} bytes>`);
  });

  it('sends a binary body from a remote_url file, typed by its mime type', async () => {
    const pixel = {
      transfer_method: 'remote_url',
      remote_url: `${server.url}/pixel.png`,
      filename: 'pixel.png',
      mime_type: 'image/png',
      type: 'image',
    };
    const job = testJob(
      'http-request',
      { method: 'put', url: `${server.url}/binary`, body: { type: 'binary', data: [{ type: 'file', file: ['start', 'pixel'] }] } },
      { start: { pixel } },
    );
    const result = await executor.execute(job, testContext(job));
    expect(result.outputs).toMatchObject({ status_code: 200, body: 'received' });
    expect((result.processData as { request: string }).request).toMatch(/Content-Type: image\/png\r\n\r\n<binary_content: size=10 bytes>$/);
  });

  it('fails with FileFetchError when a body file is missing, is no file or cannot be read', async () => {
    const binary = (file: string[]) => ({ type: 'binary', data: [{ type: 'file', file }] });
    const cases: [Record<string, unknown>, RegExp][] = [
      [binary(['start', 'nothing']), /^cannot fetch file with selector start\.nothing: the variable does not exist$/],
      [binary(['start', 'text']), /start\.text: the variable is not a single file/],
      [binary(['start', 'both']), /start\.both: the variable is not a single file/],
      [binary(['start', 'foreign']), /upload file "0d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6" not found/],
      [
        { type: 'form-data', data: [{ key: 'f', type: 'file', file: ['start', 'made'] }] },
        /Failed to read "made\.txt": tool file "t1" not found\./,
      ],
      [
        { type: 'form-data', data: [{ key: 'f', type: 'file', file: ['start', 'text'] }] },
        /start\.text: the variable is not a file or a list of files/,
      ],
    ];
    const variables = {
      start: {
        both: [
          { transfer_method: 'remote_url', url: `${server.url}/pixel.png` },
          { transfer_method: 'remote_url', url: `${server.url}/pixel.png` },
        ],
        foreign: { transfer_method: 'local_file', related_id: FOREIGN_ID, filename: 'secret.txt' },
        made: { transfer_method: 'tool_file', tool_file_id: 't1', filename: 'made.txt' },
        text: 'not a file',
      },
    };
    const before = server.requests.length;
    for (const [body, message] of cases) {
      const job = testJob('http-request', { method: 'post', url: `${server.url}/never`, body }, variables);
      const result = await executor.execute(job, testContext(job));
      expect({ status: result.status, errorType: failureOf(result).errorType }).toEqual({ status: 'failed', errorType: 'FileFetchError' });
      expect(failureOf(result).error).toMatch(message);
    }
    expect(server.requests.slice(before).map((req) => req.url)).toEqual([]);
    expect(uploads.reads).not.toContain(`${OTHER_WORKSPACE}/${FOREIGN_ID}`);
  });

  it('reports a bad method with its Dify error type', async () => {
    const job = testJob('http-request', { method: 'fetch', url: `${server.url}/` });
    await expect(executor.execute(job, testContext(job))).resolves.toMatchObject({ status: 'failed', errorType: 'InvalidHttpMethodError' });
  });
});
