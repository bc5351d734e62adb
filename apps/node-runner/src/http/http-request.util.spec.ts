import { createSsrfGuard, HttpTimeoutError, ResponseTooLargeError, SsrfBlockedError } from '@weft/outbound-http';
import {
  bodyFileSelectors,
  buildHttpRequest,
  executeHttpRequest,
  HttpRequestNodeData,
  HttpRequestNodeError,
  parseHeaderString,
  ResolvedFile,
} from './http-request.util';
import { startTestHttpServer, TestHttpServer } from '@weft/testing';

const vars: Record<string, string> = {
  'start.city': 'Paris',
  'start.q': 'a b&c',
  'env.TOKEN': 's3cret',
  'start.name': 'Ada',
};
const render = (template: string): string => template.replace(/\{\{#([\w.]+)#\}\}/g, (_, key: string) => vars[key] ?? '');

const base = (over: Partial<HttpRequestNodeData>): HttpRequestNodeData => ({
  method: 'get',
  url: 'https://api.example.com/v1/items',
  authorization: { type: 'no-auth' },
  headers: '',
  params: '',
  body: { type: 'none', data: [] },
  ...over,
});

describe('buildHttpRequest', () => {
  it('upper-cases the method and refuses unknown ones', () => {
    expect(buildHttpRequest(base({ method: 'delete' }), render).method).toBe('DELETE');
    expect(() => buildHttpRequest(base({ method: 'trace' }), render)).toThrow(
      new HttpRequestNodeError('InvalidHttpMethodError', 'Invalid http method trace'),
    );
  });

  it('renders the URL and appends params to an existing query, keeping repeated keys', () => {
    const built = buildHttpRequest(
      base({
        url: 'https://api.example.com/search?lang=en',
        params: 'q:{{#start.q#}}\n\n  city : {{#start.city#}}\ntag:x\ntag:y\nflag\n:orphan',
      }),
      render,
    );
    expect(built.url).toBe('https://api.example.com/search?lang=en&q=a+b%26c&city=Paris&tag=x&tag=y&flag=');
  });

  it('refuses empty and non-http URLs', () => {
    expect(() => buildHttpRequest(base({ url: '{{#start.missing#}}' }), render)).toThrow('url is required');
    expect(() => buildHttpRequest(base({ url: 'ftp://example.com' }), render)).toThrow('url should start with http:// or https://');
  });

  it('parses header lines: empty values, missing colons, values with colons, later keys win', () => {
    expect(parseHeaderString('aa:bb\n cc : dd\nee\nff:\nurl: http://x:1/\naa:again\n\n')).toEqual({
      aa: 'again',
      cc: 'dd',
      ee: '',
      ff: '',
      url: 'http://x:1/',
    });
    const built = buildHttpRequest(base({ headers: 'X-City:{{#start.city#}}' }), render);
    expect(built.headers).toEqual({ 'X-City': 'Paris' });
  });

  it.each([
    ['bearer', undefined, '{{#env.TOKEN#}}', 'Authorization', 'Bearer s3cret'],
    ['basic', undefined, 'user:pass', 'Authorization', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['basic', undefined, 'dXNlcjpwYXNz', 'Authorization', 'Basic dXNlcjpwYXNz'],
    ['custom', 'X-Api-Key', '{{#env.TOKEN#}}', 'X-Api-Key', 's3cret'],
  ] as const)('api-key auth of type %s sets %s', (type, header, apiKey, name, value) => {
    const built = buildHttpRequest(
      base({
        headers: 'authorization: user-set\nx-api-key: user-set',
        authorization: { type: 'api-key', config: { type, api_key: apiKey, header } },
      }),
      render,
    );
    expect(built.headers[name]).toBe(value);
    expect(Object.keys(built.headers).filter((k) => k.toLowerCase() === name.toLowerCase())).toEqual([name]);
  });

  it('refuses an api-key auth whose key renders empty', () => {
    expect(() =>
      buildHttpRequest(base({ authorization: { type: 'api-key', config: { type: 'bearer', api_key: '{{#env.NOPE#}}' } } }), render),
    ).toThrow('API key is required for authorization but was empty. Please provide a valid API key.');
  });

  it('sends no body and no content type for body none', () => {
    const built = buildHttpRequest(base({ method: 'post' }), render);
    expect(built.body).toBeUndefined();
    expect(built.contentType).toBeUndefined();
  });

  it('encodes a json body compactly after rendering, with application/json', () => {
    const built = buildHttpRequest(
      base({
        method: 'post',
        body: { type: 'json', data: [{ key: '', type: 'text', value: '{\n  "city": "{{#start.city#}}", "n": 1 }' }] },
      }),
      render,
    );
    expect(built.body?.toString()).toBe('{"city":"Paris","n":1}');
    expect(built.headers['Content-Type']).toBe('application/json');
  });

  it('reports invalid JSON bodies and keeps a user-set content type', () => {
    expect(() => buildHttpRequest(base({ body: { type: 'json', data: [{ type: 'text', value: '{oops' }] } }), render)).toThrow(
      'Failed to parse JSON: {oops',
    );
    const built = buildHttpRequest(
      base({ headers: 'content-type: application/vnd.api+json', body: { type: 'json', data: '{"a":1}' } }),
      render,
    );
    expect(built.headers).toEqual({ 'content-type': 'application/vnd.api+json' });
  });

  it('sends raw text as text/plain and requires exactly one item', () => {
    const built = buildHttpRequest(base({ body: { type: 'raw-text', data: [{ type: 'text', value: 'hi {{#start.name#}}' }] } }), render);
    expect(built.body?.toString()).toBe('hi Ada');
    expect(built.contentType).toBe('text/plain');
    expect(() => buildHttpRequest(base({ body: { type: 'raw-text', data: [] } }), render)).toThrow(
      'raw-text body type should have exactly one item',
    );
  });

  it('url-encodes x-www-form-urlencoded fields', () => {
    const built = buildHttpRequest(
      base({
        body: {
          type: 'x-www-form-urlencoded',
          data: [
            { key: 'q', type: 'text', value: '{{#start.q#}}' },
            { key: 'city', type: 'text', value: '{{#start.city#}}' },
          ],
        },
      }),
      render,
    );
    expect(built.body?.toString()).toBe('q=a+b%26c&city=Paris');
    expect(built.contentType).toBe('application/x-www-form-urlencoded');
  });

  it('encodes form-data text fields as multipart and always sets the boundary', () => {
    const built = buildHttpRequest(
      base({
        headers: 'Content-Type: multipart/form-data',
        body: {
          type: 'form-data',
          data: [
            { key: 'name', type: 'text', value: '{{#start.name#}}' },
            { key: 'a"b', type: 'text', value: 'x' },
          ],
        },
      }),
      render,
      { boundary: 'BOUNDARY' },
    );
    expect(built.headers).toEqual({ 'Content-Type': 'multipart/form-data; boundary=BOUNDARY' });
    expect(built.body?.toString()).toBe(
      '--BOUNDARY\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda\r\n' +
        '--BOUNDARY\r\nContent-Disposition: form-data; name="a%22b"\r\n\r\nx\r\n' +
        '--BOUNDARY--\r\n',
    );
    expect(built.bodyLog).toBeUndefined();
  });

  it('writes form-data file parts after the text fields, one per file, with escaped filenames and exact bytes', () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a, 0x80]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const files = new Map<string, ResolvedFile[]>([
      ['start.doc', [{ name: 'report "final"\r\n.pdf', contentType: 'application/pdf', data: pdf }]],
      [
        'start.pics',
        [
          { name: 'a.png', contentType: 'image/png', data: png },
          { name: 'b.bin', data: Buffer.from('raw') },
        ],
      ],
    ]);
    const built = buildHttpRequest(
      base({
        method: 'post',
        body: {
          type: 'form-data',
          data: [
            { key: 'doc', type: 'file', file: ['start', 'doc'] },
            { key: 'pics', type: 'file', file: ['start', 'pics'] },
            { key: 'absent', type: 'file', file: ['start', 'nothing'] },
            { key: 'name', type: 'text', value: '{{#start.name#}}' },
          ],
        },
      }),
      render,
      { boundary: 'B', files },
    );
    expect(built.contentType).toBe('multipart/form-data; boundary=B');
    const part = (head: string, data: Buffer): Buffer[] => [Buffer.from(head), data, Buffer.from('\r\n')];
    expect(built.body).toEqual(
      Buffer.concat([
        Buffer.from('--B\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda\r\n'),
        ...part(
          '--B\r\nContent-Disposition: form-data; name="doc"; filename="report %22final%22%0D%0A.pdf"\r\nContent-Type: application/pdf\r\n\r\n',
          pdf,
        ),
        ...part('--B\r\nContent-Disposition: form-data; name="pics"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n', png),
        ...part(
          '--B\r\nContent-Disposition: form-data; name="pics"; filename="b.bin"\r\nContent-Type: application/octet-stream\r\n\r\n',
          Buffer.from('raw'),
        ),
        Buffer.from('--B--\r\n'),
      ]),
    );
    expect(built.bodyLog).toContain(`<file_content_binary: 'a.png', type='image/png', size=4 bytes>`);
    expect(built.bodyLog).not.toContain('raw');
  });

  it('lists the file selectors a body refers to', () => {
    expect(
      bodyFileSelectors({
        type: 'form-data',
        data: [
          { key: 'a', type: 'file', file: ['start', 'doc'] },
          { key: 'b', type: 'text', value: 'x' },
          { key: 'c', type: 'file', file: [] },
        ],
      }),
    ).toEqual([{ key: 'start.doc', selector: ['start', 'doc'], single: false }]);
    expect(bodyFileSelectors({ type: 'binary', data: [{ type: 'file', file: ['sys', 'files'] }] })).toEqual([
      { key: 'sys.files', selector: ['sys', 'files'], single: true },
    ]);
    expect(bodyFileSelectors({ type: 'json', data: '{}' })).toEqual([]);
  });

  it("sends a binary body as the file's bytes, typed by its mime type unless the user set one", () => {
    const data = Buffer.from([0x00, 0x01, 0xfe, 0xff]);
    const binary = (headers = ''): HttpRequestNodeData =>
      base({ method: 'put', headers, body: { type: 'binary', data: [{ type: 'file', file: ['start', 'blob'] }] } });
    const typed = buildHttpRequest(binary(), render, {
      files: new Map([['start.blob', [{ name: 'a.png', contentType: 'image/png', data }]]]),
    });
    expect(typed.body).toEqual(data);
    expect(typed.headers).toEqual({ 'Content-Type': 'image/png' });
    expect(typed.bodyLog).toBe('<binary_content: size=4 bytes>');

    const untyped = buildHttpRequest(binary(), render, { files: new Map([['start.blob', [{ name: 'a', data }]]]) });
    expect(untyped.contentType).toBe('application/octet-stream');
    const injected = buildHttpRequest(binary(), render, {
      files: new Map([['start.blob', [{ name: 'a', contentType: 'text/plain\r\nX-Evil: 1', data }]]]),
    });
    expect(injected.headers).toEqual({ 'Content-Type': 'application/octet-stream' });
    const userTyped = buildHttpRequest(binary('Content-Type: application/x-custom'), render, {
      files: new Map([['start.blob', [{ name: 'a.png', contentType: 'image/png', data }]]]),
    });
    expect(userTyped.headers).toEqual({ 'Content-Type': 'application/x-custom' });
  });

  it('fails a binary body without exactly one file', () => {
    const thrown = (fn: () => unknown): { errorType?: string; message?: string } => {
      try {
        fn();
      } catch (error) {
        return { errorType: (error as HttpRequestNodeError).errorType, message: (error as Error).message };
      }
      return {};
    };
    const body = { type: 'binary' as const, data: [{ type: 'file' as const, file: ['start', 'blob'] }] };
    expect(thrown(() => buildHttpRequest(base({ body }), render))).toEqual({
      errorType: 'FileFetchError',
      message: 'cannot fetch file with selector start.blob',
    });
    const two = new Map([
      [
        'start.blob',
        [
          { name: 'a', data: Buffer.from('a') },
          { name: 'b', data: Buffer.from('b') },
        ],
      ],
    ]);
    expect(thrown(() => buildHttpRequest(base({ body }), render, { files: two }))).toEqual({
      errorType: 'FileFetchError',
      message: 'The binary body takes one file, but start.blob holds 2',
    });
    expect(thrown(() => buildHttpRequest(base({ body: { type: 'binary', data: [] } }), render))).toEqual({
      errorType: 'RequestBodyError',
      message: 'binary body type should have exactly one item',
    });
  });

  it('keeps positive timeouts and ssl_verify', () => {
    const built = buildHttpRequest(base({ timeout: { connect: 5, read: 0, write: null }, ssl_verify: false }), render);
    expect(built.timeout).toEqual({ connect: 5 });
    expect(built.sslVerify).toBe(false);
  });
});

describe('executeHttpRequest', () => {
  let server: TestHttpServer;
  const allowLocal = createSsrfGuard({ allowedHosts: ['127.0.0.1'] });
  const noAllowList = createSsrfGuard({ allowedHosts: [] });
  const limits = { maxResponseBytes: 1024 * 1024, maxTimeoutSeconds: 10 };

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url?.startsWith('/echo')) {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('X-Trace', 'abc');
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            contentType: req.headers['content-type'] ?? null,
            auth: req.headers.authorization ?? null,
            body: req.body.toString(),
          }),
        );
      } else if (req.url === '/latin1') {
        res.setHeader('Content-Type', 'text/plain; charset=iso-8859-1');
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      } else if (req.url === '/metadata') {
        res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/iam/' }).end();
      } else if (req.url === '/big') {
        res.end(Buffer.alloc(4096, 'x'));
      } else if (req.url === '/slow') {
        // Answers only after the node's timeout has passed.
        setTimeout(() => res.end('late'), 3000).unref();
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('nope');
      }
    });
  });

  afterAll(() => server.close());

  it('sends the built request and returns Dify outputs', async () => {
    const built = buildHttpRequest(
      base({
        method: 'POST',
        url: `${server.url}/echo`,
        params: 'city:{{#start.city#}}',
        authorization: { type: 'api-key', config: { type: 'bearer', api_key: '{{#env.TOKEN#}}' } },
        body: { type: 'json', data: [{ type: 'text', value: '{"name":"{{#start.name#}}"}' }] },
      }),
      render,
    );
    const out = await executeHttpRequest(built, { guard: allowLocal, ...limits });
    expect(out.status_code).toBe(200);
    expect(out.files).toEqual([]);
    expect(out.headers['x-trace']).toBe('abc');
    expect(JSON.parse(out.body)).toEqual({
      method: 'POST',
      url: '/echo?city=Paris',
      contentType: 'application/json',
      auth: 'Bearer s3cret',
      body: '{"name":"Ada"}',
    });
  });

  it('returns non-2xx statuses as outputs and decodes the declared charset', async () => {
    const missing = await executeHttpRequest(buildHttpRequest(base({ url: `${server.url}/missing` }), render), {
      guard: allowLocal,
      ...limits,
    });
    expect(missing).toMatchObject({ status_code: 404, body: 'nope' });
    const latin = await executeHttpRequest(buildHttpRequest(base({ url: `${server.url}/latin1` }), render), {
      guard: allowLocal,
      ...limits,
    });
    expect(latin.body).toBe('café');
  });

  it('refuses 127.0.0.1 without an allow-list and reaches it with one', async () => {
    const built = buildHttpRequest(base({ url: `${server.url}/echo` }), render);
    await expect(executeHttpRequest(built, { guard: noAllowList, ...limits })).rejects.toThrow(
      'Requests to 127.0.0.1 (loopback) are not allowed; add it to SSRF_ALLOWED_HOSTS to allow it',
    );
    await expect(executeHttpRequest(built, { guard: allowLocal, ...limits })).resolves.toMatchObject({ status_code: 200 });
  });

  it('refuses a redirect from an allowed host to 169.254.169.254', async () => {
    const built = buildHttpRequest(base({ url: `${server.url}/metadata` }), render);
    const error = await executeHttpRequest(built, { guard: allowLocal, ...limits }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as SsrfBlockedError).address).toBe('169.254.169.254');
  });

  it('fails when the response is larger than allowed', async () => {
    const built = buildHttpRequest(base({ url: `${server.url}/big` }), render);
    await expect(executeHttpRequest(built, { guard: allowLocal, maxResponseBytes: 1000, maxTimeoutSeconds: 10 })).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    );
  });

  it('times out after the node timeout, capped by the maximum', async () => {
    const built = buildHttpRequest(base({ url: `${server.url}/slow`, timeout: { connect: 1, read: 60 } }), render);
    const started = Date.now();
    const error = await executeHttpRequest(built, { guard: allowLocal, maxResponseBytes: 1000, maxTimeoutSeconds: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(Date.now() - started).toBeLessThan(2900);
  });
});
