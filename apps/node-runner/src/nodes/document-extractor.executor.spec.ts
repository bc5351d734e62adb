import { createSsrfGuard } from '../http/ssrf-guard.util';
import { startTestHttpServer, type TestHttpServer } from '../http/test-http-server.util';
import { DocumentExtractorExecutor } from './document-extractor.executor';
import { testContext, testJob } from './node-test.util';

describe('DocumentExtractorExecutor', () => {
  let server: TestHttpServer;
  const executor = new DocumentExtractorExecutor({ guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }), maxResponseBytes: 100_000, timeoutMs: 5000 });

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url === '/notes.txt') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Weft threads run crosswise.\nWarp runs lengthwise.');
      else if (req.url === '/page') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body><h1>Title</h1><p>Loom text</p></body></html>');
      else if (req.url === '/image.png') res.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      else res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());

  const remote = (path: string, extra: Record<string, unknown> = {}) => ({ transfer_method: 'remote_url', url: `${server.url}${path}`, type: 'document', ...extra });

  it('reads the text of a remote text file', async () => {
    const job = testJob('document-extractor', { variable_selector: ['start', 'doc'] }, { start: { doc: remote('/notes.txt', { filename: 'notes.txt' }) } });
    const result = await executor.execute(job, testContext(job));
    expect(result).toMatchObject({ status: 'succeeded', outputs: { text: 'Weft threads run crosswise.\nWarp runs lengthwise.' } });
    expect(result.inputs).toEqual({ variable_selector: ['start', 'doc'] });
  });

  it('reads a file list into a list of texts, taking the format from the extension or the mime type', async () => {
    const job = testJob(
      'document-extractor',
      { variable_selector: ['start', 'docs'] },
      { start: { docs: [remote('/notes.txt'), remote('/page', { filename: 'page', extension: '.html' })] } },
    );
    const result = await executor.execute(job, testContext(job));
    expect(result.status).toBe('succeeded');
    const texts = result.outputs['text'] as string[];
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe('Weft threads run crosswise.\nWarp runs lengthwise.');
    expect(texts[1]).toContain('Loom text');
  });

  it('fails clearly for uploads it cannot reach, unsupported types, downloads that fail and non-files', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ transfer_method: 'local_file', upload_file_id: 'f1', filename: 'a.txt' }, 'FileDownloadError', /file store/],
      [remote('/image.png'), 'UnsupportedFileTypeError', /Unsupported file type/],
      [remote('/gone.txt'), 'FileDownloadError', /HTTP 404/],
      [{ transfer_method: 'remote_url', url: 'http://169.254.169.254/latest/user-data.txt' }, 'FileDownloadError', /not allowed/],
      ['just text', 'DocumentExtractorError', /not a file/],
    ];
    for (const [doc, errorType, message] of cases) {
      const job = testJob('document-extractor', { variable_selector: ['start', 'doc'] }, { start: { doc } });
      const result = await executor.execute(job, testContext(job));
      expect({ status: result.status, errorType: result.errorType }).toEqual({ status: 'failed', errorType });
      expect(result.error).toMatch(message);
    }
  });
});
