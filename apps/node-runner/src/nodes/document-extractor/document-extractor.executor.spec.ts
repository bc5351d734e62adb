import { WorkflowFileReader } from '../../files/workflow-file-reader.service';
import { createSsrfGuard } from '@weft/outbound-http';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { DocumentExtractorExecutor } from './document-extractor.executor';
import { failureOf, outputsOf, testContext, testJob, testToolFiles, testUploads } from '../node-test.util';

const WORKSPACE = testJob('document-extractor', {}).workspaceId;
const NOTES_ID = '3f0c6a52-4d8e-4b1a-9c7e-2a5b6c7d8e9f';
const README_ID = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const OTHER_WORKSPACE = '9b8a7c6d-5e4f-4321-8abc-def012345678';
const FOREIGN_ID = '0d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6';

/** A File value as the gateway resolves an upload. */
function uploaded(id: string, filename: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const extension = filename.slice(filename.lastIndexOf('.'));
  return {
    dify_model_identity: '__dify__file__',
    extension,
    filename,
    id: null,
    mime_type: extension === '.md' ? 'text/markdown' : 'text/plain',
    related_id: id,
    remote_url: null,
    size: 10,
    transfer_method: 'local_file',
    type: 'document',
    url: null,
    ...extra,
  };
}

describe('DocumentExtractorExecutor', () => {
  let server: TestHttpServer;
  const uploads = testUploads({
    [`${WORKSPACE}/${NOTES_ID}`]: {
      data: Buffer.from('Uploaded notes about the loom.'),
      extension: 'txt',
      mimeType: 'text/plain',
      name: 'notes.txt',
    },
    [`${WORKSPACE}/${README_ID}`]: {
      data: Buffer.from('# Weaving\n\nWarp and weft.'),
      extension: 'md',
      mimeType: 'text/markdown',
      name: 'readme.md',
    },
    [`${OTHER_WORKSPACE}/${FOREIGN_ID}`]: {
      data: Buffer.from('secret of another workspace'),
      extension: 'txt',
      mimeType: 'text/plain',
      name: 'secret.txt',
    },
  });
  const executor = new DocumentExtractorExecutor(
    new WorkflowFileReader({
      guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }),
      maxResponseBytes: 100_000,
      timeoutMs: 5000,
      toolFiles: testToolFiles(),
      uploads,
    }),
  );

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url === '/notes.txt')
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Weft threads run crosswise.\nWarp runs lengthwise.');
      else if (req.url === '/page')
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body><h1>Title</h1><p>Loom text</p></body></html>');
      else if (req.url === '/image.png') res.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      else res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());

  const remote = (path: string, extra: Record<string, unknown> = {}) => ({
    transfer_method: 'remote_url',
    url: `${server.url}${path}`,
    type: 'document',
    ...extra,
  });

  it('reads the text of a remote text file', async () => {
    const job = testJob(
      'document-extractor',
      { variable_selector: ['start', 'doc'] },
      { start: { doc: remote('/notes.txt', { filename: 'notes.txt' }) } },
    );
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
    const texts = outputsOf(result)['text'] as string[];
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe('Weft threads run crosswise.\nWarp runs lengthwise.');
    expect(texts[1]).toContain('Loom text');
  });

  it("reads uploaded files (local_file) from the run's workspace, alone or in a list with remote ones", async () => {
    const single = testJob(
      'document-extractor',
      { variable_selector: ['start', 'doc'] },
      { start: { doc: uploaded(NOTES_ID, 'notes.txt') } },
    );
    const one = await executor.execute(single, testContext(single));
    expect(one).toMatchObject({ status: 'succeeded', outputs: { text: 'Uploaded notes about the loom.' } });
    expect(one.processData).toEqual({
      documents: [{ extension: '.txt', mime_type: 'text/plain', name: 'notes.txt', size: 10, transfer_method: 'local_file' }],
    });

    const list = testJob(
      'document-extractor',
      { variable_selector: ['start', 'docs'] },
      {
        start: {
          docs: [
            uploaded(README_ID, 'readme.md'),
            remote('/notes.txt'),
            { transfer_method: 'local_file', upload_file_id: NOTES_ID, type: 'document' },
          ],
        },
      },
    );
    const many = await executor.execute(list, testContext(list));
    expect(many.status).toBe('succeeded');
    expect(outputsOf(many)['text']).toEqual([
      '# Weaving\n\nWarp and weft.',
      'Weft threads run crosswise.\nWarp runs lengthwise.',
      'Uploaded notes about the loom.',
    ]);
    expect(uploads.reads).toEqual(expect.arrayContaining([`${WORKSPACE}/${README_ID}`, `${WORKSPACE}/${NOTES_ID}`]));
  });

  it("never reads another workspace's upload, nor a tool file it does not have", async () => {
    const cases: [unknown, RegExp][] = [
      [uploaded(FOREIGN_ID, 'secret.txt'), /upload file "0d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6" not found/],
      [uploaded('5c4b3a29-1807-4f6e-9d5c-4b3a29180706', 'gone.txt'), /not found/],
      [{ transfer_method: 'local_file', filename: 'a.txt' }, /names no upload/],
      [
        { transfer_method: 'tool_file', tool_file_id: 't1', filename: 'made.txt' },
        /Failed to read "made\.txt": tool file "t1" not found\./,
      ],
    ];
    for (const [doc, message] of cases) {
      const job = testJob('document-extractor', { variable_selector: ['start', 'doc'] }, { start: { doc } });
      const result = await executor.execute(job, testContext(job));
      expect({ status: result.status, errorType: failureOf(result).errorType }).toEqual({
        status: 'failed',
        errorType: 'FileDownloadError',
      });
      expect(failureOf(result).error).toMatch(message);
      expect(result.outputs).toEqual({});
    }
    expect(uploads.reads).not.toContain(`${OTHER_WORKSPACE}/${FOREIGN_ID}`);
  });

  it('fails clearly for unsupported types, downloads that fail and non-files', async () => {
    const cases: [unknown, string, RegExp][] = [
      [remote('/image.png'), 'UnsupportedFileTypeError', /Unsupported file type/],
      [remote('/gone.txt'), 'FileDownloadError', /HTTP 404/],
      [{ transfer_method: 'remote_url', url: 'http://169.254.169.254/latest/user-data.txt' }, 'FileDownloadError', /not allowed/],
      ['just text', 'DocumentExtractorError', /not a file/],
    ];
    for (const [doc, errorType, message] of cases) {
      const job = testJob('document-extractor', { variable_selector: ['start', 'doc'] }, { start: { doc } });
      const result = await executor.execute(job, testContext(job));
      expect({ status: result.status, errorType: failureOf(result).errorType }).toEqual({ status: 'failed', errorType });
      expect(failureOf(result).error).toMatch(message);
    }
  });
});
