import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { queryDatabase, TestStack, WeftClient } from '@weft/testing';
import { createFileStorage, type FileStorage } from '@weft/storage';

const fixture = readFileSync(join(__dirname, '../../libs/workflow/src/dsl/fixtures/simple-template.yml'), 'utf8');
// Starting five services (and stopping them) takes longer than Jest's default hook timeout on a busy machine.
const STACK_START_TIMEOUT_MS = 120_000;
const STACK_STOP_TIMEOUT_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RESPONSE_FIELDS = [
  'conversation_id',
  'created_at',
  'created_by',
  'extension',
  'file_key',
  'id',
  'mime_type',
  'name',
  'original_url',
  'preview_url',
  'reference',
  'size',
  'source_url',
  'tenant_id',
  'user_id',
];

interface Upload {
  body: Record<string, unknown>;
  headers: Headers;
  status: number;
}

/** A multipart form with the given file parts (field name, content, filename, type) and form fields. */
function form(
  files: { content: string | Buffer; field?: string; name: string; type?: string }[],
  fields: Record<string, string> = {},
): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const f of files) data.append(f.field ?? 'file', new Blob([f.content], f.type === undefined ? {} : { type: f.type }), f.name);
  return data;
}

async function post(baseUrl: string, body: FormData | string, opts: { contentType?: string; key?: string } = {}): Promise<Upload> {
  const headers: Record<string, string> = {};
  if (opts.key !== undefined) headers['authorization'] = `Bearer ${opts.key}`;
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const res = await fetch(`${baseUrl}/v1/files/upload`, { body, headers, method: 'POST' });
  const text = await res.text();
  return { body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, headers: res.headers, status: res.status };
}

async function deployApp(stack: TestStack): Promise<{ appId: string; key: string; workspaceId: string }> {
  const client = new WeftClient(stack.gateway.baseUrl);
  const { appId, key } = await client.deploy(await client.register(), fixture);
  const [app] = await queryDatabase<{ workspace_id: string }>(stack.database.url, 'SELECT workspace_id FROM gateway.apps WHERE id = $1', [
    appId,
  ]);
  return { appId, key, workspaceId: app!.workspace_id };
}

async function countUploads(stack: TestStack): Promise<number> {
  const [row] = await queryDatabase<{ n: string }>(stack.database.url, 'SELECT count(*) AS n FROM gateway.upload_files');
  return Number(row!.n);
}

describe('POST /v1/files/upload', () => {
  describe('with local storage', () => {
    let storageDir: string;
    let stack: TestStack;
    let app: { appId: string; key: string; workspaceId: string };

    beforeAll(async () => {
      storageDir = await mkdtemp(join(tmpdir(), 'weft-uploads-'));
      stack = await TestStack.create({ env: { STORAGE_LOCAL_PATH: storageDir, STORAGE_TYPE: 'local', UPLOAD_FILE_SIZE_LIMIT: '1' } });
      await stack.start();
      app = await deployApp(stack);
    }, STACK_START_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.destroy();
      if (storageDir) await rm(storageDir, { force: true, recursive: true });
    }, STACK_STOP_TIMEOUT_MS);

    it('stores a text file, records it in the workspace and answers 201 with exactly Dify’s fields', async () => {
      const before = Math.floor(Date.now() / 1000);
      const res = await post(
        stack.gateway.baseUrl,
        form([{ content: 'hello weft', name: 'notes.txt', type: 'text/plain' }], { user: 'alice' }),
        { key: app.key },
      );
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(RESPONSE_FIELDS);
      const id = res.body['id'] as string;
      expect(id).toMatch(UUID);
      expect(res.body).toMatchObject({
        conversation_id: null,
        extension: 'txt',
        file_key: `upload_files/${app.workspaceId}/${id}.txt`,
        mime_type: 'text/plain',
        name: 'notes.txt',
        original_url: null,
        preview_url: null,
        reference: null,
        size: 10,
        source_url: '',
        tenant_id: app.workspaceId,
      });
      expect(res.body['created_at']).toBeGreaterThanOrEqual(before - 1);
      expect(res.body['created_at']).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));

      const [endUser] = await queryDatabase<{ id: string }>(
        stack.database.url,
        'SELECT id FROM gateway.end_users WHERE app_id = $1 AND session_id = $2',
        [app.appId, 'alice'],
      );
      expect(res.body['created_by']).toBe(endUser!.id);
      expect(res.body['user_id']).toBe(endUser!.id);

      const rows = await queryDatabase(stack.database.url, 'SELECT * FROM gateway.upload_files WHERE id = $1', [id]);
      expect(rows).toEqual([
        expect.objectContaining({
          created_by: endUser!.id,
          created_by_role: 'end_user',
          extension: 'txt',
          mime_type: 'text/plain',
          name: 'notes.txt',
          size: '10',
          storage_key: res.body['file_key'],
          workspace_id: app.workspaceId,
        }),
      ]);
      await expect(readFile(join(storageDir, res.body['file_key'] as string), 'utf8')).resolves.toBe('hello weft');
    });

    it('files an upload without `user` under Dify’s default end user, and keeps a UTF-8 name', async () => {
      const res = await post(stack.gateway.baseUrl, form([{ content: '# Résumé', name: 'résumé.MD', type: 'text/markdown' }]), {
        key: app.key,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ extension: 'md', name: 'résumé.MD', size: Buffer.byteLength('# Résumé') });
      const [endUser] = await queryDatabase<{ id: string }>(
        stack.database.url,
        'SELECT id FROM gateway.end_users WHERE app_id = $1 AND session_id = $2',
        [app.appId, 'DEFAULT-USER'],
      );
      expect(res.body['created_by']).toBe(endUser!.id);
    });

    it('accepts images, audio and video, and a file of exactly the size limit', async () => {
      for (const [name, type] of [
        ['photo.PNG', 'image/png'],
        ['voice.mp3', 'audio/mpeg'],
        ['clip.mp4', 'video/mp4'],
      ]) {
        const res = await post(stack.gateway.baseUrl, form([{ content: Buffer.from([0, 1, 2, 3]), name: name!, type }]), { key: app.key });
        expect(res.status).toBe(201);
        expect(res.body['mime_type']).toBe(type);
      }
      const exact = await post(stack.gateway.baseUrl, form([{ content: Buffer.alloc(1024 * 1024, 97), name: 'exact.txt' }]), {
        key: app.key,
      });
      expect(exact.status).toBe(201);
      expect(exact.body['size']).toBe(1024 * 1024);
    });

    it('answers 413 file_too_large with an empty message for a file over the limit, and stores nothing', async () => {
      const rows = await countUploads(stack);
      const files = (await readdir(join(storageDir, 'upload_files', app.workspaceId))).length;
      const res = await post(
        stack.gateway.baseUrl,
        form([{ content: Buffer.alloc(1.5 * 1024 * 1024, 97), name: 'big.txt', type: 'text/plain' }]),
        { key: app.key },
      );
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ code: 'file_too_large', message: '', status: 413 });
      expect(await countUploads(stack)).toBe(rows);
      expect(await readdir(join(storageDir, 'upload_files', app.workspaceId))).toHaveLength(files);
    });

    it('refuses two files with 400 too_many_files', async () => {
      const rows = await countUploads(stack);
      const two = form([
        { content: 'a', name: 'a.txt' },
        { content: 'b', name: 'b.txt' },
      ]);
      const res = await post(stack.gateway.baseUrl, two, { key: app.key });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 'too_many_files', message: 'Only one file is allowed.', status: 400 });
      const other = await post(
        stack.gateway.baseUrl,
        form([
          { content: 'a', name: 'a.txt' },
          { content: 'b', field: 'attachment', name: 'b.txt' },
        ]),
        { key: app.key },
      );
      expect(other.body['code']).toBe('too_many_files');
      expect(await countUploads(stack)).toBe(rows);
    });

    it('answers 400 no_file_uploaded without a `file` part, whether the body is a form, another field or not multipart', async () => {
      const fieldsOnly = await post(stack.gateway.baseUrl, form([], { user: 'alice' }), { key: app.key });
      expect(fieldsOnly.status).toBe(400);
      expect(fieldsOnly.body).toEqual({ code: 'no_file_uploaded', message: 'Please upload your file.', status: 400 });
      const wrongField = await post(stack.gateway.baseUrl, form([{ content: 'x', field: 'document', name: 'x.txt' }]), { key: app.key });
      expect(wrongField.status).toBe(400);
      expect(wrongField.body['code']).toBe('no_file_uploaded');
      const json = await post(stack.gateway.baseUrl, JSON.stringify({ file: 'notes.txt', user: 'alice' }), {
        contentType: 'application/json',
        key: app.key,
      });
      expect(json.status).toBe(400);
      expect(json.body['code']).toBe('no_file_uploaded');
      const text = await post(stack.gateway.baseUrl, 'hello', { contentType: 'text/plain', key: app.key });
      expect(text.body['code']).toBe('no_file_uploaded');
    });

    it('answers 400 invalid_param to a multipart body it cannot read and to a `user` that is not one string', async () => {
      const noBoundary = await post(stack.gateway.baseUrl, 'garbage', { contentType: 'multipart/form-data', key: app.key });
      expect(noBoundary.status).toBe(400);
      expect(noBoundary.body['code']).toBe('invalid_param');
      const truncated = await post(
        stack.gateway.baseUrl,
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
        {
          contentType: 'multipart/form-data; boundary=xyz',
          key: app.key,
        },
      );
      expect(truncated.status).toBe(400);
      expect(truncated.body['code']).toBe('invalid_param');
      const twoUsers = form([{ content: 'x', name: 'x.txt' }], { user: 'a' });
      twoUsers.append('user', 'b');
      const res = await post(stack.gateway.baseUrl, twoUsers, { key: app.key });
      expect(res.status).toBe(400);
      expect(res.body['code']).toBe('invalid_param');
    });

    it('refuses executables with 400 invalid_param and unknown types with 415 unsupported_file_type', async () => {
      const rows = await countUploads(stack);
      const exe = await post(stack.gateway.baseUrl, form([{ content: 'MZ', name: 'setup.exe', type: 'application/octet-stream' }]), {
        key: app.key,
      });
      expect(exe.status).toBe(400);
      expect(exe.body).toEqual({
        code: 'invalid_param',
        message: "File extension '.exe' is not allowed for security reasons",
        status: 400,
      });
      const script = await post(stack.gateway.baseUrl, form([{ content: 'rm -rf /', name: 'notes.TXT.SH' }]), { key: app.key });
      expect(script.body).toMatchObject({ code: 'invalid_param', status: 400 });
      for (const name of ['archive.xyz', 'README', '.env']) {
        const res = await post(stack.gateway.baseUrl, form([{ content: 'x', name }]), { key: app.key });
        expect(res.status).toBe(415);
        expect(res.body).toEqual({ code: 'unsupported_file_type', message: 'File type not allowed.', status: 415 });
      }
      expect(await countUploads(stack)).toBe(rows);
    });

    it('refuses a filename with a path separator (400 invalid_param) or none at all (400 filename_not_exists_error)', async () => {
      for (const name of ['dir/evil.txt', '..\\evil.txt']) {
        const res = await post(stack.gateway.baseUrl, form([{ content: 'x', name }]), { key: app.key });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ code: 'invalid_param', message: 'Filename contains invalid characters', status: 400 });
      }
      const empty = await post(
        stack.gateway.baseUrl,
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: text/plain\r\n\r\nabc\r\n--xyz--\r\n',
        {
          contentType: 'multipart/form-data; boundary=xyz',
          key: app.key,
        },
      );
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({ code: 'filename_not_exists_error', message: 'The specified filename does not exist.', status: 400 });
      // fetch leaves the filename out altogether for a Blob named "", so the part cannot be told from no file.
      const unnamed = await post(stack.gateway.baseUrl, form([{ content: 'x', name: '' }]), { key: app.key });
      expect(unnamed.status).toBe(400);
      expect(unnamed.body['code']).toBe('no_file_uploaded');
    });

    it('answers 401 without a key or with a wrong one, and stores nothing', async () => {
      const rows = await countUploads(stack);
      const missing = await post(stack.gateway.baseUrl, form([{ content: 'x', name: 'x.txt' }]));
      expect(missing.status).toBe(401);
      expect(missing.body['code']).toBe('unauthorized');
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      const wrong = await post(stack.gateway.baseUrl, form([{ content: 'x', name: 'x.txt' }]), { key: 'app-not-a-real-key' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ code: 'unauthorized', message: 'Access token is invalid' });
      expect(await countUploads(stack)).toBe(rows);
    });
  });

  describe('with S3 storage', () => {
    const bucket = 'weft-uploads';
    let s3Dir: string;
    let s3: S3rver;
    let storage: FileStorage;
    let stack: TestStack;

    beforeAll(async () => {
      s3Dir = await mkdtemp(join(tmpdir(), 'weft-s3rver-'));
      s3 = new S3rver({ address: '127.0.0.1', configureBuckets: [{ name: bucket }], directory: s3Dir, port: 0, silent: true });
      const { port } = await s3.run();
      const endpoint = `http://127.0.0.1:${port}`;
      // s3rver checks request signatures against its fixed S3RVER/S3RVER credentials.
      storage = createFileStorage({
        driver: 's3',
        accessKeyId: 'S3RVER',
        bucket,
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        secretAccessKey: 'S3RVER',
      });
      stack = await TestStack.create({
        env: { S3_ACCESS_KEY: 'S3RVER', S3_BUCKET_NAME: bucket, S3_ENDPOINT: endpoint, S3_SECRET_KEY: 'S3RVER', STORAGE_TYPE: 's3' },
      });
      await stack.start();
    }, STACK_START_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.destroy();
      storage?.destroy?.();
      await s3?.close();
      if (s3Dir) await rm(s3Dir, { force: true, recursive: true });
    }, STACK_STOP_TIMEOUT_MS);

    it('puts the bytes in the bucket under the file key and records the row', async () => {
      const app = await deployApp(stack);
      const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 255, 10, 13])]);
      const res = await post(stack.gateway.baseUrl, form([{ content, name: 'report.pdf', type: 'application/pdf' }], { user: 'bob' }), {
        key: app.key,
      });
      expect(res.status).toBe(201);
      const key = `upload_files/${app.workspaceId}/${res.body['id'] as string}.pdf`;
      expect(res.body).toMatchObject({
        extension: 'pdf',
        file_key: key,
        mime_type: 'application/pdf',
        size: content.length,
        tenant_id: app.workspaceId,
      });
      await expect(storage.get(key)).resolves.toEqual(content);
      const rows = await queryDatabase(stack.database.url, 'SELECT workspace_id, storage_key FROM gateway.upload_files WHERE id = $1', [
        res.body['id'],
      ]);
      expect(rows).toEqual([{ storage_key: key, workspace_id: app.workspaceId }]);
    });
  });
});
