import { pollUntil, queryDatabase, TestStack, WeftClient, type JsonResponse } from '@weft/testing';

// Knowledge API routes of issue 17, through the gateway with the real stack: dataset tags and their
// bindings (and the dataset list's tag_ids filter), the built-in metadata fields, PATCH on a document,
// a document's upload-file with its signed links, and the workspace's models by type.

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
/** Signed file links last this long here, so a test can see one expire without waiting five minutes. */
const LINK_TTL_SECONDS = 8;

type Tag = { binding_count: string | null; id: string; name: string; type: string };
type DocMetadata = { id: string; name: string; type: string; value?: unknown }[];

describe('knowledge routes: tags, built-in metadata, document PATCH and upload-file, models by type', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let key: string;
  let otherKey: string;

  const kb = (method: string, path: string, body?: unknown, k = key): Promise<JsonResponse> =>
    client.call(method, `/v1/datasets${path}`, { body, token: k });
  const newDataset = async (name: string, k = key) => {
    const res = await kb('POST', '', { indexing_technique: 'high_quality', name }, k);
    expect(res.status).toBe(200);
    return res.body['id'] as string;
  };
  const indexed = (datasetId: string, batch: string) =>
    pollUntil(
      async () => {
        const res = await kb('GET', `/${datasetId}/documents/${batch}/indexing-status`);
        const entry = (res.body['data'] as Record<string, unknown>[] | undefined)?.[0];
        return entry && (entry['indexing_status'] === 'completed' || entry['indexing_status'] === 'error') ? entry : undefined;
      },
      { timeoutMs: 30_000, what: `batch ${batch} indexed` },
    );
  const addText = async (datasetId: string, name: string, text: string) => {
    const res = await kb('POST', `/${datasetId}/document/create-by-text`, { name, process_rule: { mode: 'automatic' }, text });
    expect(res.status).toBe(200);
    const created = res.body as { batch: string; document: Record<string, unknown> };
    expect(await indexed(datasetId, created.batch)).toMatchObject({ indexing_status: 'completed' });
    return created.document;
  };
  /** A multipart request to the Knowledge API (files as [name, text, type]). */
  const multipart = async (method: string, path: string, files: [string, string, string][], data?: unknown, k = key) => {
    const form = new FormData();
    for (const [name, text, type] of files) form.append('file', new Blob([text], { type }), name);
    if (data !== undefined) form.append('data', typeof data === 'string' ? data : JSON.stringify(data));
    const res = await fetch(`${stack.gateway.baseUrl}/v1/datasets${path}`, {
      body: form,
      headers: { authorization: `Bearer ${k}` },
      method,
    });
    return { body: (await res.json()) as Record<string, unknown>, status: res.status };
  };
  const datasetNames = async (query: string, k = key) => {
    const res = await client.call<{ data: { name: string }[] }>('GET', `/v1/datasets?limit=100${query}`, { token: k });
    expect(res.status).toBe(200);
    return res.body.data.map((d) => d.name).sort();
  };
  const retrievedNames = async (datasetId: string, conditions: Record<string, unknown>[]) => {
    const res = await kb('POST', `/${datasetId}/retrieve`, {
      query: 'warp weft loom',
      retrieval_model: {
        metadata_filtering_conditions: { conditions, logical_operator: 'and' },
        search_method: 'full_text_search',
        top_k: 10,
      },
    });
    expect(res.status).toBe(200);
    return [...new Set((res.body['records'] as { segment: { document: { name: string } } }[]).map((r) => r.segment.document.name))].sort();
  };

  beforeAll(async () => {
    stack = await TestStack.create({ env: { FILES_ACCESS_TIMEOUT: String(LINK_TTL_SECONDS) } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = (await client.signUp(undefined, { name: 'Ada Lovelace' })).access_token;
    key = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token })).body.token;
    const otherToken = await client.register();
    otherKey = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: otherToken })).body.token;
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  describe('dataset tags', () => {
    it('creates, lists, renames and deletes knowledge tags, with Dify’s answers and refusals', async () => {
      const created = await kb('POST', '/tags', { name: 'weaving' });
      expect(created.status).toBe(200);
      expect(created.body).toEqual({ binding_count: '0', id: expect.any(String), name: 'weaving', type: 'knowledge' });
      const weaving = created.body['id'] as string;
      const dyeing = (await kb('POST', '/tags', { name: 'dyeing' })).body['id'] as string;

      const duplicate = await kb('POST', '/tags', { name: 'weaving' });
      expect([duplicate.status, duplicate.body]).toEqual([400, { code: 'invalid_param', message: 'Tag name already exists', status: 400 }]);
      for (const bad of [{}, { name: '' }, { name: 'x'.repeat(51) }, { name: 42 }, { name: null }, { name: ['weaving'] }]) {
        const res = await kb('POST', '/tags', bad);
        expect([JSON.stringify(bad), res.status, res.body['code']]).toEqual([JSON.stringify(bad), 400, 'invalid_param']);
      }
      expect((await kb('POST', '/tags', ['weaving'])).status).toBe(400);
      expect((await kb('POST', '/tags', { name: 'x'.repeat(50) })).status).toBe(200);

      // Newest first, binding counts as strings; `tags` is never taken for a dataset id.
      const listed = await client.call<Tag[]>('GET', '/v1/datasets/tags', { token: key });
      expect(listed.status).toBe(200);
      expect(listed.body.map((t) => t.name)).toEqual(['x'.repeat(50), 'dyeing', 'weaving']);
      expect(listed.body.every((t) => t.binding_count === '0' && t.type === 'knowledge')).toBe(true);

      const renamed = await kb('PATCH', '/tags', { name: 'tapestry', tag_id: weaving });
      expect(renamed.body).toEqual({ binding_count: '0', id: weaving, name: 'tapestry', type: 'knowledge' });
      expect((await kb('PATCH', '/tags', { name: 'tapestry', tag_id: weaving })).status).toBe(200);
      const taken = await kb('PATCH', '/tags', { name: 'dyeing', tag_id: weaving });
      expect([taken.status, taken.body['message']]).toEqual([400, 'Tag name already exists']);
      for (const tagId of [UNKNOWN, 'not-a-uuid']) {
        const res = await kb('PATCH', '/tags', { name: 'ghost', tag_id: tagId });
        expect([res.status, res.body]).toEqual([404, { code: 'not_found', message: 'Tag not found', status: 404 }]);
      }
      expect((await kb('PATCH', '/tags', { name: 'no id' })).status).toBe(400);
      expect((await kb('PATCH', '/tags', { name: '', tag_id: weaving })).status).toBe(400);

      expect((await kb('DELETE', '/tags', { tag_id: dyeing })).status).toBe(204);
      const again = await kb('DELETE', '/tags', { tag_id: dyeing });
      expect([again.status, again.body['message']]).toEqual([404, 'Tag not found']);
      expect((await kb('DELETE', '/tags', { tag_id: 7 })).status).toBe(400);
      expect((await kb('DELETE', '/tags')).status).toBe(400);
      expect((await client.call<Tag[]>('GET', '/v1/datasets/tags', { token: key })).body.map((t) => t.name)).toEqual([
        'x'.repeat(50),
        'tapestry',
      ]);
    });

    it('binds and unbinds tags, shows them on datasets and filters the dataset list by every tag given', async () => {
      const looms = await newDataset('Tagged looms');
      const dyes = await newDataset('Tagged dyes');
      const plain = await newDataset('Untagged');
      const linen = (await kb('POST', '/tags', { name: 'linen' })).body['id'] as string;
      const wool = (await kb('POST', '/tags', { name: 'wool' })).body['id'] as string;

      expect((await kb('POST', '/tags/binding', { tag_ids: [linen, wool], target_id: looms })).status).toBe(204);
      // Binding again is no error and binds nothing twice.
      expect((await kb('POST', '/tags/binding', { tag_ids: [linen], target_id: looms })).status).toBe(204);
      expect((await kb('POST', '/tags/binding', { tag_ids: [linen], target_id: dyes })).status).toBe(204);

      expect((await kb('GET', `/${looms}/tags`)).body).toEqual({
        data: [
          { id: linen, name: 'linen' },
          { id: wool, name: 'wool' },
        ],
        total: 2,
      });
      expect((await kb('GET', `/${plain}/tags`)).body).toEqual({ data: [], total: 0 });
      expect((await kb('GET', `/${looms}`)).body['tags']).toEqual([
        { id: linen, name: 'linen', type: 'knowledge' },
        { id: wool, name: 'wool', type: 'knowledge' },
      ]);
      const counts = Object.fromEntries(
        (await client.call<Tag[]>('GET', '/v1/datasets/tags', { token: key })).body.map((t) => [t.name, t.binding_count]),
      );
      expect(counts).toMatchObject({ linen: '2', wool: '1' });

      // tag_ids: datasets bound to every tag given; a tag id that is none of the workspace's matches nothing.
      expect(await datasetNames(`&tag_ids=${linen}`)).toEqual(['Tagged dyes', 'Tagged looms']);
      expect(await datasetNames(`&tag_ids=${linen}&tag_ids=${wool}`)).toEqual(['Tagged looms']);
      expect(await datasetNames(`&tag_ids=${wool}&tag_ids=${wool}`)).toEqual(['Tagged looms']);
      expect(await datasetNames(`&tag_ids=${linen}&tag_ids=${UNKNOWN}`)).toEqual([]);
      expect(await datasetNames(`&tag_ids=not-a-uuid`)).toEqual([]);
      const filtered = await client.call('GET', `/v1/datasets?tag_ids=${linen}&limit=1`, { token: key });
      expect(filtered.body).toMatchObject({ has_more: true, limit: 1, page: 1, total: 2 });
      expect((await datasetNames('')).length).toBeGreaterThanOrEqual(3);
      expect((await client.call('GET', `/v1/datasets?tag_ids=${'x'.repeat(101)}`, { token: key })).status).toBe(400);

      // Refusals, with Dify's messages.
      const none = await kb('POST', '/tags/binding', { tag_ids: [], target_id: looms });
      expect([none.status, none.body['message']]).toEqual([400, 'Tag IDs is required.']);
      expect((await kb('POST', '/tags/binding', { tag_ids: linen, target_id: looms })).status).toBe(400);
      expect((await kb('POST', '/tags/binding', { tag_ids: [linen] })).status).toBe(400);
      expect((await kb('POST', '/tags/binding', { tag_ids: [linen], target_id: 5 })).status).toBe(400);
      for (const target of [UNKNOWN, 'nope']) {
        const res = await kb('POST', '/tags/binding', { tag_ids: [linen], target_id: target });
        expect([res.status, res.body['code']]).toEqual([404, 'not_found']);
      }
      expect((await kb('GET', `/${UNKNOWN}/tags`)).status).toBe(404);

      // Unbinding: the legacy single tag_id, then tag_ids; something not bound is no error.
      expect((await kb('POST', '/tags/unbinding', { tag_id: wool, target_id: looms })).status).toBe(204);
      expect(await datasetNames(`&tag_ids=${wool}`)).toEqual([]);
      expect((await kb('POST', '/tags/unbinding', { tag_ids: [linen, wool], target_id: looms })).status).toBe(204);
      expect((await kb('GET', `/${looms}/tags`)).body).toEqual({ data: [], total: 0 });
      expect((await kb('POST', '/tags/unbinding', { tag_ids: [linen], target_id: looms })).status).toBe(204);
      const noIds = await kb('POST', '/tags/unbinding', { target_id: looms });
      expect([noIds.status, noIds.body['message']]).toEqual([400, 'Tag IDs is required.']);
      expect((await kb('POST', '/tags/unbinding', { tag_ids: [linen], target_id: UNKNOWN })).status).toBe(404);

      // Deleting a dataset takes its bindings; deleting a tag takes it off every dataset.
      expect((await kb('DELETE', `/${dyes}`)).status).toBe(204);
      expect((await client.call<Tag[]>('GET', '/v1/datasets/tags', { token: key })).body.find((t) => t.id === linen)?.binding_count).toBe(
        '0',
      );
      await kb('POST', '/tags/binding', { tag_ids: [linen], target_id: plain });
      expect((await kb('DELETE', '/tags', { tag_id: linen })).status).toBe(204);
      expect((await kb('GET', `/${plain}`)).body['tags']).toEqual([]);
      const bindings = await queryDatabase(stack.database.url, 'SELECT count(*)::int AS n FROM rag.tag_bindings WHERE tag_id = $1', [
        linen,
      ]);
      expect(bindings).toEqual([{ n: 0 }]);
    });

    it("keeps each workspace's tags to itself: another workspace's tags and datasets are not found, and nothing changes", async () => {
      const mine = await newDataset('My tagged dataset');
      const theirs = await newDataset('Their tagged dataset', otherKey);
      const myTag = (await kb('POST', '/tags', { name: 'private' })).body['id'] as string;
      const theirTag = (await kb('POST', '/tags', { name: 'private' }, otherKey)).body['id'] as string;
      expect(theirTag).not.toBe(myTag);
      await kb('POST', '/tags/binding', { tag_ids: [myTag], target_id: mine });

      const theirList = await client.call<Tag[]>('GET', '/v1/datasets/tags', { token: otherKey });
      expect(theirList.body.map((t) => t.id)).toEqual([theirTag]);
      for (const [method, body] of [
        ['PATCH', { name: 'stolen', tag_id: myTag }],
        ['DELETE', { tag_id: myTag }],
      ] as const) {
        const res = await kb(method, '/tags', body, otherKey);
        expect([method, res.status, res.body['message']]).toEqual([method, 404, 'Tag not found']);
      }
      for (const path of ['/tags/binding', '/tags/unbinding']) {
        const res = await kb('POST', path, { tag_ids: [theirTag], target_id: mine }, otherKey);
        expect([path, res.status, res.body['code']]).toEqual([path, 404, 'not_found']);
      }
      expect((await kb('GET', `/${mine}/tags`, undefined, otherKey)).status).toBe(404);
      // A tag of another workspace binds nothing, as Dify ignores tag ids that are not the workspace's.
      expect((await kb('POST', '/tags/binding', { tag_ids: [myTag], target_id: theirs }, otherKey)).status).toBe(204);
      expect((await kb('GET', `/${theirs}/tags`, undefined, otherKey)).body).toEqual({ data: [], total: 0 });
      expect(await datasetNames(`&tag_ids=${myTag}`, otherKey)).toEqual([]);

      // Mine is as it was.
      expect((await client.call<Tag[]>('GET', '/v1/datasets/tags', { token: key })).body.find((t) => t.id === myTag)).toEqual({
        binding_count: '1',
        id: myTag,
        name: 'private',
        type: 'knowledge',
      });
      expect((await kb('GET', `/${mine}/tags`)).body).toEqual({ data: [{ id: myTag, name: 'private' }], total: 1 });
      expect((await client.call('GET', '/v1/datasets/tags', { token: 'app-notadatasetkey' })).status).toBe(401);
      expect((await client.call('GET', '/v1/datasets/tags')).status).toBe(401);
    });
  });

  describe('built-in metadata fields', () => {
    const BUILT_IN = ['document_name', 'uploader', 'upload_date', 'last_update_date', 'source'];

    it("lists Dify's built-in fields, at the old and the newer path", async () => {
      const expected = {
        fields: [
          { name: 'document_name', type: 'string' },
          { name: 'uploader', type: 'string' },
          { name: 'upload_date', type: 'time' },
          { name: 'last_update_date', type: 'time' },
          { name: 'source', type: 'string' },
        ],
      };
      expect((await kb('GET', '/metadata/built-in')).body).toEqual(expected);
      const id = await newDataset('Built-in listing');
      expect((await kb('GET', `/${id}/metadata/built-in`)).body).toEqual(expected);
      expect((await kb('GET', `/${id}/metadata/built-in`, undefined, otherKey)).status).toBe(404);
      expect((await kb('GET', `/${UNKNOWN}/metadata/built-in`)).status).toBe(404);
      expect((await client.call('GET', '/v1/datasets/metadata/built-in')).status).toBe(401);
    });

    it('fills the fields on every document while enabled, filters by them, and takes them away when disabled', async () => {
      const id = await newDataset('Built-in fields');
      const before = Date.now() / 1000 - 60;
      const warp = await addText(id, 'warp.txt', 'The warp threads run along the loom.');
      const user = await kb('POST', `/${id}/metadata`, { name: 'author', type: 'string' });
      const authorId = user.body['id'] as string;
      expect((await kb('GET', `/${id}/documents/${String(warp['id'])}`)).body['doc_metadata']).toEqual([]);

      expect((await kb('POST', `/${id}/metadata/built-in/enable`)).body).toEqual({ result: 'success' });
      expect((await kb('GET', `/${id}/metadata`)).body['built_in_field_enabled']).toBe(true);
      const dataset = await kb('GET', `/${id}`);
      expect(dataset.body['built_in_field_enabled']).toBe(true);
      expect((dataset.body['doc_metadata'] as DocMetadata).map((f) => [f.id, f.name])).toEqual([
        [authorId, 'author'],
        ...BUILT_IN.map((name) => ['built-in', name]),
      ]);

      // A document that was there gets the values; one added now gets them at once.
      const weft = await addText(id, 'weft.txt', 'The weft crosses the warp on the loom.');
      for (const doc of [warp, weft]) {
        const got = (await kb('GET', `/${id}/documents/${String(doc['id'])}`)).body['doc_metadata'] as DocMetadata;
        const values = Object.fromEntries(got.map((f) => [f.name, f.value]));
        expect(got.map((f) => [f.id, f.name])).toEqual(BUILT_IN.map((name) => ['built-in', name]));
        expect(values).toMatchObject({ document_name: doc['name'], source: 'file_upload', uploader: 'Ada Lovelace' });
        expect(values['upload_date']).toBeGreaterThan(before);
        expect(values['last_update_date']).toBeGreaterThanOrEqual(values['upload_date'] as number);
      }

      // A user field may not take a built-in name.
      const clash = await kb('POST', `/${id}/metadata`, { name: 'uploader', type: 'string' });
      expect([clash.status, clash.body['message']]).toEqual([400, 'Metadata name already exists in Built-in fields.']);
      const renameClash = await kb('PATCH', `/${id}/metadata/${authorId}`, { name: 'document_name' });
      expect([renameClash.status, renameClash.body['message']]).toEqual([400, 'Metadata name already exists in Built-in fields.']);

      // Setting a document's own values keeps its built-in ones.
      const set = await kb('POST', `/${id}/documents/metadata`, {
        operation_data: [{ document_id: warp['id'], metadata_list: [{ id: authorId, name: 'author', value: 'Grace' }] }],
      });
      expect(set.body).toEqual({ result: 'success' });
      const warpMetadata = (await kb('GET', `/${id}/documents/${String(warp['id'])}`)).body['doc_metadata'] as DocMetadata;
      expect(warpMetadata.map((f) => [f.name, f.name === 'author' || f.name === 'document_name' ? f.value : typeof f.value])).toEqual([
        ['author', 'Grace'],
        ['document_name', 'warp.txt'],
        ['uploader', 'string'],
        ['upload_date', 'number'],
        ['last_update_date', 'number'],
        ['source', 'string'],
      ]);

      // Metadata filters reach the built-in fields.
      expect(await retrievedNames(id, [{ comparison_operator: 'is', name: 'document_name', value: 'weft.txt' }])).toEqual(['weft.txt']);
      expect(await retrievedNames(id, [{ comparison_operator: 'is', name: 'uploader', value: 'Ada Lovelace' }])).toEqual([
        'warp.txt',
        'weft.txt',
      ]);
      expect(await retrievedNames(id, [{ comparison_operator: 'after', name: 'upload_date', value: before }])).toEqual([
        'warp.txt',
        'weft.txt',
      ]);
      expect(await retrievedNames(id, [{ comparison_operator: 'before', name: 'upload_date', value: before }])).toEqual([]);
      expect(await retrievedNames(id, [{ comparison_operator: 'is', name: 'source', value: 'file_upload' }])).toEqual([
        'warp.txt',
        'weft.txt',
      ]);

      // Disabled: the values go (the user's stay), and filters no longer find them.
      expect((await kb('POST', `/${id}/metadata/built-in/disable`)).body).toEqual({ result: 'success' });
      expect((await kb('GET', `/${id}/documents/${String(warp['id'])}`)).body['doc_metadata']).toEqual([
        { id: authorId, name: 'author', type: 'string', value: 'Grace' },
      ]);
      expect((await kb('GET', `/${id}/documents/${String(weft['id'])}`)).body['doc_metadata']).toEqual([]);
      expect(((await kb('GET', `/${id}`)).body['doc_metadata'] as DocMetadata).map((f) => f.name)).toEqual(['author']);
      expect(await retrievedNames(id, [{ comparison_operator: 'is', name: 'document_name', value: 'weft.txt' }])).toEqual([]);
      const stored = await queryDatabase<{ keys: string[] }>(
        stack.database.url,
        `SELECT array(SELECT jsonb_object_keys(doc_metadata) ORDER BY 1) AS keys FROM rag.documents WHERE dataset_id = $1 ORDER BY name`,
        [id],
      );
      expect(stored).toEqual([{ keys: ['author'] }, { keys: [] }]);

      expect((await kb('POST', `/${id}/metadata/built-in/explode`)).status).toBe(400);
      expect((await kb('POST', `/${id}/metadata/built-in/enable`, undefined, otherKey)).status).toBe(404);
      expect((await kb('GET', `/${id}`)).body['built_in_field_enabled']).toBe(false);
    });
  });

  describe("a document's source file and PATCH", () => {
    it('answers the upload-file of a document with signed links that serve the file, and refuses forged or expired ones', async () => {
      const id = await newDataset('Source files');
      const created = await multipart(
        'POST',
        `/${id}/document/create-by-file`,
        [['threads.md', '# Threads\n\nWarp and weft.\n', 'text/markdown']],
        {
          indexing_technique: 'high_quality',
          process_rule: { mode: 'automatic' },
        },
      );
      expect(created.status).toBe(200);
      const docId = (created.body['document'] as { id: string }).id;
      await indexed(id, created.body['batch'] as string);

      const info = await kb('GET', `/${id}/documents/${docId}/upload-file`);
      expect(info.status).toBe(200);
      expect(info.body).toEqual({
        created_at: expect.any(Number),
        created_by: expect.any(String),
        download_url: `${String(info.body['url'])}&as_attachment=true`,
        extension: 'md',
        id: expect.any(String),
        mime_type: 'text/markdown',
        name: 'threads.md',
        size: Buffer.byteLength('# Threads\n\nWarp and weft.\n'),
        url: expect.stringMatching(/^\/files\/[0-9a-f-]{36}\/file-preview\?nonce=[0-9a-f]+&sign=[^&]+&timestamp=\d+$/),
      });
      const url = `${stack.gateway.baseUrl}${String(info.body['url'])}`;
      const shown = await fetch(url);
      expect([shown.status, shown.headers.get('content-type'), shown.headers.get('content-disposition')]).toEqual([
        200,
        'text/markdown',
        null,
      ]);
      expect(shown.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await shown.text()).toBe('# Threads\n\nWarp and weft.\n');
      const downloaded = await fetch(`${stack.gateway.baseUrl}${String(info.body['download_url'])}`);
      expect([downloaded.status, downloaded.headers.get('content-type'), downloaded.headers.get('content-disposition')]).toEqual([
        200,
        'application/octet-stream',
        "attachment; filename*=UTF-8''threads.md",
      ]);

      // The link is the credential: another file id, a changed signature, or no signature gets nothing.
      const link = new URL(url);
      const forged = new URL(url);
      forged.searchParams.set('sign', `A${String(link.searchParams.get('sign')).slice(1)}`);
      const otherFile = new URL(url.replace(/\/files\/[0-9a-f-]{36}\//, `/files/${UNKNOWN}/`));
      for (const bad of [forged, otherFile]) {
        const res = await fetch(bad);
        expect([res.status, await res.json()]).toEqual([
          404,
          { code: 'not_found', message: 'File not found or signature is invalid', status: 404 },
        ]);
      }
      const unsigned = await fetch(`${link.origin}${link.pathname}`);
      expect(unsigned.status).toBe(400);

      // A text document has its text as a file too.
      const text = await addText(id, 'Loom notes', 'Heddles lift the warp.');
      const textInfo = await kb('GET', `/${id}/documents/${String(text['id'])}/upload-file`);
      expect(textInfo.body).toMatchObject({ extension: 'txt', mime_type: 'text/plain', name: 'Loom notes.txt' });
      expect(await (await fetch(`${stack.gateway.baseUrl}${String(textInfo.body['url'])}`)).text()).toBe('Heddles lift the warp.');

      // Other workspaces, unknown ids, and documents without a stored file.
      expect((await kb('GET', `/${id}/documents/${docId}/upload-file`, undefined, otherKey)).status).toBe(404);
      expect((await kb('GET', `/${id}/documents/${UNKNOWN}/upload-file`)).status).toBe(404);
      expect((await kb('GET', `/${UNKNOWN}/documents/${docId}/upload-file`)).status).toBe(404);
      await queryDatabase(stack.database.url, `UPDATE rag.documents SET data_source_info = '{}' WHERE id = $1`, [text['id']]);
      const legacy = await kb('GET', `/${id}/documents/${String(text['id'])}/upload-file`);
      expect([legacy.status, legacy.body['message']]).toEqual([400, 'Upload file id not found in document data source info.']);
      await queryDatabase(stack.database.url, `DELETE FROM gateway.upload_files WHERE id = $1`, [info.body['id']]);
      const gone = await kb('GET', `/${id}/documents/${docId}/upload-file`);
      expect([gone.status, gone.body['message']]).toEqual([404, 'UploadFile not found.']);
      expect((await fetch(url)).status).toBe(404);

      // A link stops working once FILES_ACCESS_TIMEOUT has passed.
      const later = await multipart('POST', `/${id}/document/create-by-file`, [['late.txt', 'Late warp.', 'text/plain']]);
      const lateInfo = await kb('GET', `/${id}/documents/${(later.body['document'] as { id: string }).id}/upload-file`);
      const lateUrl = `${stack.gateway.baseUrl}${String(lateInfo.body['url'])}`;
      expect((await fetch(lateUrl)).status).toBe(200);
      await pollUntil(async () => (await fetch(lateUrl)).status === 404, {
        intervalMs: 1000,
        timeoutMs: (LINK_TTL_SECONDS + 10) * 1000,
        what: 'link expired',
      });
    });

    it('updates a document by PATCH with a new file, or with its settings alone, as update-by-file does', async () => {
      const id = await newDataset('Patched documents');
      const created = await multipart('POST', `/${id}/document/create-by-file`, [['first.txt', 'Tabby weave alternates.', 'text/plain']], {
        indexing_technique: 'high_quality',
        process_rule: { mode: 'automatic' },
      });
      const docId = (created.body['document'] as { id: string }).id;
      await indexed(id, created.body['batch'] as string);

      const replaced = await multipart('PATCH', `/${id}/documents/${docId}`, [
        ['second.txt', 'Satin weave floats the warp.', 'text/plain'],
      ]);
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ batch: expect.any(String), document: { id: docId, name: 'second.txt' } });
      expect(await indexed(id, replaced.body['batch'] as string)).toMatchObject({ indexing_status: 'completed' });
      const segments = await kb('GET', `/${id}/documents/${docId}/segments`);
      expect((segments.body['data'] as { content: string }[]).map((s) => s.content)).toEqual(['Satin weave floats the warp.']);
      expect((await kb('GET', `/${id}/documents/${docId}/upload-file`)).body).toMatchObject({ name: 'second.txt' });

      // Settings alone: the same source, indexed again.
      const settingsOnly = await multipart('PATCH', `/${id}/documents/${docId}`, [], { process_rule: { mode: 'automatic' } });
      expect(settingsOnly.status).toBe(200);
      expect(await indexed(id, settingsOnly.body['batch'] as string)).toMatchObject({ indexing_status: 'completed' });
      expect((await kb('GET', `/${id}/documents/${docId}/upload-file`)).body).toMatchObject({ name: 'second.txt' });

      const two = await multipart('PATCH', `/${id}/documents/${docId}`, [
        ['a.txt', 'a', 'text/plain'],
        ['b.txt', 'b', 'text/plain'],
      ]);
      expect([two.status, two.body['code']]).toEqual([400, 'too_many_files']);
      const badData = await multipart('PATCH', `/${id}/documents/${docId}`, [['c.txt', 'c', 'text/plain']], '{not json');
      expect([badData.status, badData.body['code']]).toEqual([400, 'invalid_param']);
      const wrongType = await multipart('PATCH', `/${id}/documents/${docId}`, [['c.exe', 'c', 'application/octet-stream']]);
      expect([wrongType.status, wrongType.body['code']]).toEqual([415, 'unsupported_file_type']);
      expect((await multipart('PATCH', `/${id}/documents/${UNKNOWN}`, [['c.txt', 'c', 'text/plain']])).status).toBe(404);
      expect((await multipart('PATCH', `/${id}/documents/${docId}`, [['c.txt', 'c', 'text/plain']], undefined, otherKey)).status).toBe(404);
      await kb('PATCH', `/${id}/documents/status/archive`, { document_ids: [docId] });
      const archived = await multipart('PATCH', `/${id}/documents/${docId}`, [['d.txt', 'd', 'text/plain']]);
      expect([archived.status, archived.body['code']]).toEqual([403, 'archived_document_immutable']);
      // None of the refused calls changed the document.
      expect((await kb('GET', `/${id}/documents/${docId}`)).body).toMatchObject({ archived: true, name: 'second.txt' });
    });
  });

  describe('the workspace models by type', () => {
    it("lists Weft's offline models, then a configured provider's, in Dify's shape; refuses unknown types and other keys", async () => {
      const before = await client.call<{ data: { models: { model: string }[]; provider: string }[] }>(
        'GET',
        '/v1/workspaces/current/models/model-types/text-embedding',
        { token: key },
      );
      expect(before.status).toBe(200);
      expect(before.body.data.map((p) => p.provider)).toEqual(['weft']);

      const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
        body: { credentials: { openai_api_key: 'sk-test' } },
        token,
      });
      expect(saved.status).toBe(200);
      const after = await client.call<{ data: Record<string, unknown>[] }>(
        'GET',
        '/v1/workspaces/current/models/model-types/text-embedding',
        {
          token: key,
        },
      );
      expect(after.body.data.map((p) => p['provider'])).toEqual(['langgenius/openai/openai', 'weft']);
      expect(after.body.data[0]).toMatchObject({
        label: { en_US: 'OpenAI', zh_Hans: 'OpenAI' },
        models: expect.arrayContaining([
          expect.objectContaining({
            fetch_from: 'predefined-model',
            model: 'text-embedding-3-small',
            model_type: 'text-embedding',
            status: 'active',
          }),
        ]),
        status: 'active',
      });
      // Dify's older name of the type answers the same.
      expect((await client.call('GET', '/v1/workspaces/current/models/model-types/embeddings', { token: key })).body).toEqual(after.body);
      const llm = await client.call<{ data: { provider: string }[] }>('GET', '/v1/workspaces/current/models/model-types/llm', {
        token: key,
      });
      expect(llm.body.data.map((p) => p.provider)).toEqual(['langgenius/openai/openai', 'weft-mock']);
      expect((await client.call('GET', '/v1/workspaces/current/models/model-types/rerank', { token: key })).body).toEqual({ data: [] });

      // A dataset can be made with a model the route lists.
      const made = await kb('POST', '', {
        embedding_model: 'text-embedding-3-small',
        embedding_model_provider: 'langgenius/openai/openai',
        indexing_technique: 'high_quality',
        name: 'Listed model',
      });
      expect(made.body).toMatchObject({ embedding_model: 'text-embedding-3-small', embedding_model_provider: 'langgenius/openai/openai' });

      const bad = await client.call('GET', '/v1/workspaces/current/models/model-types/text2img', { token: key });
      expect([bad.status, bad.body]).toEqual([400, { code: 'invalid_param', message: 'invalid origin model type text2img', status: 400 }]);
      // Another workspace has configured nothing: its own list.
      const theirs = await client.call<{ data: { provider: string }[] }>(
        'GET',
        '/v1/workspaces/current/models/model-types/text-embedding',
        {
          token: otherKey,
        },
      );
      expect(theirs.body.data.map((p) => p.provider)).toEqual(['weft']);
      expect((await client.call('GET', '/v1/workspaces/current/models/model-types/llm')).status).toBe(401);
      expect((await client.call('GET', '/v1/workspaces/current/models/model-types/llm', { token: 'app-notadatasetkey' })).status).toBe(401);
    });
  });
});
