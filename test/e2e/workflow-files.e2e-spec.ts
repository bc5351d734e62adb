import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDocx, DslBuilder, templateData, TestStack, WeftClient } from '@weft/testing';

// Starting five services (and stopping them) takes longer than Jest's default hook timeout on a busy machine.
const STACK_START_TIMEOUT_MS = 120_000;
const STACK_STOP_TIMEOUT_MS = 60_000;

const NOTES = 'Weft threads run crosswise.\nWarp runs lengthwise.';
const GUIDE = '# Loom guide\n\nThread the heddles first.';

/** A start `file` / `file-list` variable that takes documents only. */
function fileVariable(variable: string, type: 'file' | 'file-list', methods: string[], required: boolean): Record<string, unknown> {
  return {
    allowed_file_extensions: [],
    allowed_file_types: ['document'],
    allowed_file_upload_methods: methods,
    label: variable,
    max_length: 5,
    options: [],
    required,
    type,
    variable,
  };
}

/** start(doc, docs) → extract doc → extract docs → sys.files names → end. */
const filesWorkflow = new DslBuilder('workflow files')
  .node('start', 'start', {
    variables: [fileVariable('doc', 'file', ['local_file', 'remote_url'], true), fileVariable('docs', 'file-list', ['local_file'], false)],
  })
  .node('extract_one', 'document-extractor', { is_array_file: false, variable_selector: ['start', 'doc'] })
  .node('extract_many', 'document-extractor', { is_array_file: true, variable_selector: ['start', 'docs'] })
  .node(
    'names',
    'template-transform',
    templateData('{% for f in files %}{{ f.filename }}|{{ f.type }}|{{ f.transfer_method }};{% endfor %}', { files: ['sys', 'files'] }),
  )
  .node('end', 'end', {
    outputs: [
      { value_selector: ['extract_one', 'text'], value_type: 'string', variable: 'text' },
      { value_selector: ['extract_many', 'text'], value_type: 'array[string]', variable: 'texts' },
      { value_selector: ['names', 'output'], value_type: 'string', variable: 'names' },
    ],
  })
  .chain('start', 'extract_one', 'extract_many', 'names', 'end')
  .toYaml();

async function upload(stack: TestStack, key: string, name: string, content: string | Buffer, type: string): Promise<string> {
  const data = new FormData();
  data.append('user', 'uploader');
  data.append('file', new Blob([content], { type }), name);
  const res = await fetch(`${stack.gateway.baseUrl}/v1/files/upload`, {
    body: data,
    headers: { authorization: `Bearer ${key}` },
    method: 'POST',
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 201) throw new Error(`upload of ${name} failed: ${res.status} ${JSON.stringify(body)}`);
  return body['id'] as string;
}

const local = (uploadFileId: string, type = 'document') => ({ transfer_method: 'local_file', type, upload_file_id: uploadFileId });

describe('uploaded files in workflow runs', () => {
  let storageDir: string;
  let stack: TestStack;
  let client: WeftClient;
  let app: { appId: string; key: string };
  const ids: Record<'docx' | 'foreign' | 'md' | 'png' | 'txt', string> = { docx: '', foreign: '', md: '', png: '', txt: '' };

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'weft-run-files-'));
    // The gateway writes uploads and the node runner reads them: both get the same storage settings.
    stack = await TestStack.create({ env: { STORAGE_LOCAL_PATH: storageDir, STORAGE_TYPE: 'local' } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    app = await client.deploy(await client.register(), filesWorkflow);
    ids.txt = await upload(stack, app.key, 'notes.txt', NOTES, 'text/plain');
    ids.md = await upload(stack, app.key, 'guide.md', GUIDE, 'text/markdown');
    ids.docx = await upload(
      stack,
      app.key,
      'report.docx',
      buildDocx(['Quarterly weaving report', 'Output doubled']),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    ids.png = await upload(stack, app.key, 'photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png');
    // Another workspace, with its own app and upload.
    const other = await client.deploy(await client.register(), filesWorkflow);
    ids.foreign = await upload(stack, other.key, 'secret.txt', 'Not yours to read.', 'text/plain');
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.destroy();
    if (storageDir) await rm(storageDir, { force: true, recursive: true });
  }, STACK_STOP_TIMEOUT_MS);

  it('extracts the text of uploaded .txt, .md and .docx files given as a file and a file list', async () => {
    const res = await client.run(app.key, { doc: local(ids.txt), docs: [local(ids.md), local(ids.docx)] });
    expect(res.status).toBe(200);
    const data = res.body['data'] as Record<string, unknown>;
    expect(data).toMatchObject({ error: null, status: 'succeeded' });
    const outputs = data['outputs'] as Record<string, unknown>;
    expect(outputs['text']).toBe(NOTES);
    expect(outputs['texts']).toEqual([GUIDE, expect.stringMatching(/^Quarterly weaving report\s+Output doubled$/)]);
    expect(outputs['names']).toBe('');
  });

  it("stores the inputs as Dify's File values, resolved from the workspace's uploads", async () => {
    const res = await client.run(app.key, { doc: local(ids.txt), docs: [local(ids.md)] });
    expect(res.status).toBe(200);
    const runId = res.body['workflow_run_id'] as string;
    const detail = await client.call<{ inputs: string }>('GET', `/v1/workflows/run/${runId}`, { token: app.key });
    expect(detail.status).toBe(200);
    const inputs = JSON.parse(detail.body.inputs) as Record<string, unknown>;
    expect(inputs['doc']).toEqual({
      dify_model_identity: '__dify__file__',
      extension: '.txt',
      filename: 'notes.txt',
      id: null,
      mime_type: 'text/plain',
      related_id: ids.txt,
      remote_url: null,
      size: Buffer.byteLength(NOTES),
      transfer_method: 'local_file',
      type: 'document',
      url: null,
    });
    expect(inputs['docs']).toEqual([
      expect.objectContaining({ extension: '.md', filename: 'guide.md', related_id: ids.md, type: 'document' }),
    ]);
  });

  it('passes top-level `files` to the workflow as sys.files, uploads and URLs alike', async () => {
    const files = [local(ids.md), { transfer_method: 'remote_url', type: 'image', url: 'https://example.com/pictures/cat%20photo.png' }];
    const res = await client.run(app.key, { doc: local(ids.txt), docs: [] }, 'tester', { files });
    expect(res.status).toBe(200);
    const data = res.body['data'] as Record<string, unknown>;
    expect(data['status']).toBe('succeeded');
    expect((data['outputs'] as Record<string, unknown>)['names']).toBe('guide.md|document|local_file;cat photo.png|image|remote_url;');
  });

  it("refuses another workspace's upload, even passed as an already resolved file, naming the variable", async () => {
    const forged = {
      dify_model_identity: '__dify__file__',
      filename: 'secret.txt',
      related_id: ids.foreign,
      transfer_method: 'local_file',
      type: 'document',
    };
    for (const [inputs, extra, variable] of [
      [{ doc: local(ids.foreign), docs: [] }, {}, 'doc'],
      [{ doc: local(ids.txt), docs: [local(ids.md), local(ids.foreign)] }, {}, 'docs'],
      [{ doc: forged, docs: [] }, {}, 'doc'],
      [{ doc: local(ids.txt), docs: [] }, { files: [local(ids.foreign)] }, 'files'],
    ] as [Record<string, unknown>, Record<string, unknown>, string][]) {
      const res = await client.run(app.key, inputs, 'tester', extra);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: { code: 'invalid_param', message: `${variable}: Invalid upload file`, status: 400 },
      });
    }
  });

  it('refuses unknown and malformed upload ids', async () => {
    const unknown = await client.run(app.key, { doc: local(randomUUID()), docs: [] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'invalid_param', message: 'doc: Invalid upload file' });
    const malformed = await client.run(app.key, { doc: local('not-an-id'), docs: [] });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'invalid_param', message: 'doc: Invalid upload file id format' });
  });

  it("refuses a file of the wrong type in Dify's words", async () => {
    // An image stated as an image, for a variable that takes documents only.
    const image = await client.run(app.key, { doc: local(ids.png, 'image'), docs: [] });
    expect(image.status).toBe(400);
    expect(image.body).toMatchObject({ code: 'invalid_param', message: 'File validation failed for file: photo.png' });
    // An image stated as a document: the Service API checks the stated type against the detected one.
    const disguised = await client.run(app.key, { doc: local(ids.txt), docs: [local(ids.png)] });
    expect(disguised.status).toBe(400);
    expect(disguised.body).toMatchObject({
      code: 'invalid_param',
      message: 'docs: Detected file type does not match the specified type. Please verify the file.',
    });
    // A transfer method the file-list variable does not allow.
    const byUrl = await client.run(app.key, {
      doc: local(ids.txt),
      docs: [{ transfer_method: 'remote_url', type: 'document', url: 'https://example.com/a.txt' }],
    });
    expect(byUrl.status).toBe(400);
    expect(byUrl.body).toMatchObject({ code: 'invalid_param', message: 'File validation failed for file: a.txt' });
  });
});
