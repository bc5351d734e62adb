import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buildDocx, buildPdf, DslBuilder, endData, pollUntil, queryDatabase, textInput, TestStack, WeftClient } from '@weft/testing';

/** Test servers listen on 127.0.0.2, the one private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';
const DIM = 64;
// Datasets from this many segments get their own HNSW index (the default is 2,000).
const OWN_INDEX_MIN_SEGMENTS = 8;

/** A chat completion request as the fake server sees it, and the assistant message it answers with. */
type ChatRequestBody = { messages: { content: string; role: string }[]; tools?: { function: { description: string; name: string } }[] };
type ChatReply = {
  content?: string;
  error?: string;
  status?: number;
  tool_calls?: { function: { arguments: string; name: string }; id: string; type: 'function' }[];
};

/**
 * A local OpenAI-compatible `/v1/embeddings` server: each text becomes a deterministic bag-of-words
 * vector (words hashed into 64 buckets), so texts sharing words are close. `delayMs` slows every call
 * (to crash the rag service while a document is being indexed). `/v1/chat/completions` answers with
 * what `chat` returns for the request (a router's tool call, a metadata model's JSON).
 */
async function startEmbeddings(): Promise<{
  calls: string[][];
  chat: (body: ChatRequestBody) => ChatReply;
  chats: ChatRequestBody[];
  delayMs: number;
  server: Server;
  url: string;
}> {
  const state = {
    calls: [] as string[][],
    chat: (_body: ChatRequestBody): ChatReply => ({ content: '' }),
    chats: [] as ChatRequestBody[],
    delayMs: 0,
    server: null as unknown as Server,
    url: '',
  };
  state.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/rerank') {
        // A rerank model that prefers documents about the warp, whatever was asked.
        const { documents } = JSON.parse(body) as { documents: string[] };
        const results = documents
          .map((d, index) => ({ index, relevance_score: d.includes('warp') ? 0.9 : 0.1 }))
          .sort((a, b) => b.relevance_score - a.relevance_score);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ model: 'fake-rerank', results }));
        return;
      }
      if (req.url === '/v1/chat/completions') {
        const request = JSON.parse(body) as ChatRequestBody;
        state.chats.push(request);
        const { error, status, ...message } = state.chat(request);
        if (status !== undefined) {
          // A refusal as OpenAI-compatible servers send it (e.g. a model served without tool support).
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: null, message: error, type: 'invalid_request_error' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            choices: [{ finish_reason: message.tool_calls ? 'tool_calls' : 'stop', index: 0, message: { role: 'assistant', ...message } }],
            model: 'fake-chat',
            usage: { completion_tokens: 3, prompt_tokens: 10 },
          }),
        );
        return;
      }
      if (req.url !== '/v1/embeddings') {
        res.writeHead(404).end();
        return;
      }
      const { input } = JSON.parse(body) as { input: string[] };
      state.calls.push(input);
      const data = input.map((text, index) => {
        const v = new Array<number>(DIM).fill(0);
        for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) v[createHash('md5').update(word).digest()[0]! % DIM] += 1;
        const norm = Math.hypot(...v) || 1;
        return { embedding: v.map((x) => x / norm), index, object: 'embedding' };
      });
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data, model: 'fake-embed', object: 'list', usage: { prompt_tokens: 1, total_tokens: 1 } }));
      }, state.delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, ALLOWED_HOST, resolve));
  state.url = `http://${ALLOWED_HOST}:${(state.server.address() as { port: number }).port}`;
  return state;
}

const WEAVING = [
  'Weft is the thread that runs crosswise on a loom, passed over and under the warp.',
  'The warp threads are held in tension lengthwise on the loom before weaving starts.',
  'A shuttle carries the weft yarn through the shed that the heddles open.',
].join('\n\n');

describe('knowledge: datasets, ingestion, retrieval and the knowledge-retrieval node', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let key: string;
  let embeddings: Awaited<ReturnType<typeof startEmbeddings>>;

  const kb = (method: string, path: string, body?: unknown, k = key) => client.call(method, `/v1/datasets${path}`, { body, token: k });
  const upload = async (datasetId: string, name: string, data: Buffer, type: string, settings: Record<string, unknown> = {}) => {
    const form = new FormData();
    form.append('file', new Blob([data], { type }), name);
    form.append('data', JSON.stringify({ indexing_technique: 'high_quality', process_rule: { mode: 'automatic' }, ...settings }));
    const res = await fetch(`${stack.gateway.baseUrl}/v1/datasets/${datasetId}/document/create-by-file`, {
      body: form,
      headers: { authorization: `Bearer ${key}` },
      method: 'POST',
    });
    return { body: (await res.json()) as Record<string, unknown>, status: res.status };
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
  const newDataset = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await kb('POST', '', { indexing_technique: 'high_quality', name, ...extra });
    expect(res.status).toBe(200);
    return res.body['id'] as string;
  };
  const addText = async (datasetId: string, name: string, text: string) => {
    const res = await kb('POST', `/${datasetId}/document/create-by-text`, {
      indexing_technique: 'high_quality',
      name,
      process_rule: { mode: 'automatic' },
      text,
    });
    expect(res.status).toBe(200);
    return res.body as { batch: string; document: Record<string, unknown> };
  };

  beforeAll(async () => {
    embeddings = await startEmbeddings();
    stack = await TestStack.create({
      env: {
        INGEST_ACK_WAIT_MS: '3000',
        RAG_DATASET_INDEX_MIN_SEGMENTS: String(OWN_INDEX_MIN_SEGMENTS),
        PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST,
        SSRF_ALLOWED_HOSTS: ALLOWED_HOST,
      },
    });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
    const created = await client.call<{ token: string; type: string }>('POST', '/console/api/datasets/api-keys', { token });
    expect(created.status).toBe(201);
    expect(created.body.type).toBe('dataset');
    key = created.body.token;
    await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: embeddings.url, openai_api_key: 'sk-embed' } },
      token,
    });
  });

  afterAll(async () => {
    await stack?.destroy();
    embeddings?.server.close();
  });

  it('creates, lists, reads, updates and deletes datasets; a duplicate name is 409; another workspace sees 404', async () => {
    const id = await newDataset('Looms');
    const duplicate = await kb('POST', '', { name: 'Looms' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toEqual({
      code: 'dataset_name_duplicate',
      message: 'The dataset name already exists. Please modify your dataset name.',
      status: 409,
    });
    expect((await kb('POST', '', { name: '' })).status).toBe(400);
    expect((await kb('POST', '', { name: 'x'.repeat(41) })).status).toBe(400);
    const list = await kb('GET', '?page=1&limit=20');
    expect(list.body).toMatchObject({ has_more: false, limit: 20, page: 1 });
    expect((list.body['data'] as { name: string }[]).map((d) => d.name)).toContain('Looms');
    const got = await kb('GET', `/${id}`);
    expect(got.body).toMatchObject({
      document_count: 0,
      id,
      indexing_technique: 'high_quality',
      name: 'Looms',
      retrieval_model_dict: { search_method: 'semantic_search', top_k: 2 },
    });
    const patched = await kb('PATCH', `/${id}`, { description: 'about weaving' });
    expect(patched.body).toMatchObject({ description: 'about weaving', name: 'Looms' });

    const otherToken = await client.register();
    const otherKey = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: otherToken })).body.token;
    for (const [method, path] of [
      ['GET', `/${id}`],
      ['PATCH', `/${id}`],
      ['DELETE', `/${id}`],
      ['GET', `/${id}/documents`],
    ] as const) {
      const res = await kb(method, path, method === 'PATCH' ? { name: 'stolen' } : undefined, otherKey);
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect((await kb('POST', `/${id}/retrieve`, { query: 'weft' }, otherKey)).status).toBe(404);
    expect((await kb('GET', '', undefined, 'dataset-forged')).status).toBe(401);
    expect((await client.call('GET', '/v1/datasets', { token: 'app-notadatasetkey' })).status).toBe(401);

    // The official SDK sends DELETE with `Content-Type: application/json` and no body; Dify reads that as no body.
    const sdkStyle = await fetch(`${stack.gateway.baseUrl}/v1/datasets/${id}`, {
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      method: 'DELETE',
    });
    expect(sdkStyle.status).toBe(204);
    expect((await kb('GET', `/${id}`)).status).toBe(404);
  });

  it('indexes text and every file type, then finds it by semantic, full-text, keyword and hybrid search', async () => {
    const id = await newDataset('Weaving');
    const { batch, document } = await addText(id, 'weaving.txt', WEAVING);
    expect(document).toMatchObject({ data_source_type: 'upload_file', indexing_status: 'waiting', name: 'weaving.txt' });
    const status = await indexed(id, batch);
    expect(status).toMatchObject({ completed_segments: expect.any(Number), error: null, indexing_status: 'completed' });
    expect(status['total_segments']).toBeGreaterThan(0);
    for (const field of [
      'processing_started_at',
      'parsing_completed_at',
      'cleaning_completed_at',
      'splitting_completed_at',
      'completed_at',
    ])
      expect(typeof status[field]).toBe('number');

    const files: [string, Buffer, string, string][] = [
      ['notes.md', Buffer.from('# Dyes\n\nIndigo gives the warp its blue colour.\n'), 'text/markdown', 'indigo'],
      [
        'page.html',
        Buffer.from('<html><body><h1>Tapestry</h1><p>Tapestry weaving hides the warp entirely.</p></body></html>'),
        'text/html',
        'tapestry',
      ],
      ['manual.pdf', buildPdf(['Jacquard looms read punched cards.']), 'application/pdf', 'jacquard'],
      [
        'guide.docx',
        buildDocx(['Selvedge is the self-finished edge of the fabric.']),
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'selvedge',
      ],
      ['fibres.csv', Buffer.from('fibre,origin\nlinen,flax plant\nwool,sheep fleece\n'), 'text/csv', 'fleece'],
      ['plain.txt', Buffer.from('Twill weave makes diagonal ribs.'), 'text/plain', 'twill'],
    ];
    for (const [name, data, type, word] of files) {
      const res = await upload(id, name, data, type);
      expect([name, res.status]).toEqual([name, 200]);
      const done = await indexed(id, res.body['batch'] as string);
      expect([name, done['indexing_status'], done['error']]).toEqual([name, 'completed', null]);
      const found = await kb('POST', `/${id}/retrieve`, { query: word, retrieval_model: { search_method: 'full_text_search', top_k: 3 } });
      const contents = (found.body['records'] as { segment: { content: string; document: { name: string } } }[]).map(
        (r) => r.segment.document.name,
      );
      expect([word, contents[0]]).toEqual([word, name]);
    }

    const plain = (await kb('GET', `/${id}/documents?keyword=plain&limit=5`)).body['data'] as { id: string }[];
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('Satin weave floats over several threads.')], { type: 'text/plain' }), 'plain.txt');
    form.append('data', JSON.stringify({ process_rule: { mode: 'automatic' } }));
    const updated = await fetch(`${stack.gateway.baseUrl}/v1/datasets/${id}/documents/${plain[0]!.id}/update-by-file`, {
      body: form,
      headers: { authorization: `Bearer ${key}` },
      method: 'POST',
    });
    const updatedBody = (await updated.json()) as { batch: string };
    expect(updated.status).toBe(200);
    expect((await indexed(id, updatedBody.batch))['indexing_status']).toBe('completed');
    const satin = await kb('POST', `/${id}/retrieve`, { query: 'satin', retrieval_model: { search_method: 'full_text_search', top_k: 3 } });
    expect((satin.body['records'] as { segment: { content: string } }[]).map((r) => r.segment.content)).toEqual([
      'Satin weave floats over several threads.',
    ]);
    expect(
      (await kb('POST', `/${id}/retrieve`, { query: 'twill', retrieval_model: { search_method: 'full_text_search', top_k: 3 } })).body[
        'records'
      ],
    ).toEqual([]);

    const docs = await kb('GET', `/${id}/documents?limit=50`);
    expect(docs.body['total']).toBe(7);
    expect((docs.body['data'] as { display_status: string }[]).every((d) => d.display_status === 'available')).toBe(true);

    for (const method of ['semantic_search', 'full_text_search', 'keyword_search', 'hybrid_search']) {
      const res = await kb('POST', `/${id}/retrieve`, {
        query: 'crosswise thread weft',
        retrieval_model: { reranking_enable: false, score_threshold_enabled: false, search_method: method, top_k: 2 },
      });
      expect([method, res.status]).toEqual([method, 200]);
      const records = res.body['records'] as { score: number; segment: { content: string; document: { name: string } } }[];
      expect(res.body['query']).toEqual({ content: 'crosswise thread weft' });
      expect(records.length).toBeGreaterThan(0);
      expect(records.length).toBeLessThanOrEqual(2);
      expect([method, records[0]!.segment.content]).toEqual([method, expect.stringContaining('crosswise')]);
      expect(records[0]!.score).toBeGreaterThan(0);
    }
    const weighted = await kb('POST', `/${id}/retrieve`, {
      query: 'shuttle',
      retrieval_model: {
        reranking_enable: true,
        reranking_mode: 'weighted_score',
        search_method: 'hybrid_search',
        top_k: 1,
        weights: {
          keyword_setting: { keyword_weight: 0.5 },
          vector_setting: { embedding_model_name: '', embedding_provider_name: '', vector_weight: 0.5 },
        },
      },
    });
    expect((weighted.body['records'] as { segment: { content: string } }[])[0]!.segment.content).toContain('shuttle');
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai_api_compatible', {
      body: { credentials: { endpoint_url: embeddings.url } },
      token,
    });
    expect(saved.status).toBe(200);
    const rerankModel = { reranking_model_name: 'fake-rerank', reranking_provider_name: 'openai_api_compatible' };
    const reranked = await kb('POST', `/${id}/retrieve`, {
      query: 'twill weave warp',
      retrieval_model: {
        reranking_enable: true,
        reranking_mode: 'reranking_model',
        reranking_model: rerankModel,
        search_method: 'hybrid_search',
        top_k: 4,
      },
    });
    const order = (reranked.body['records'] as { score: number; segment: { content: string } }[]).map((r) => [
      r.segment.content.includes('warp'),
      r.score,
    ]);
    // The rerank model's relevance decides: every document about the warp (0.9) before the twill one (0.1).
    expect(order).toContainEqual([false, 0.1]);
    expect(order[0]).toEqual([true, 0.9]);
    expect(order).toEqual([...order].sort((a, b) => Number(b[1]) - Number(a[1])));
    const strict = await kb('POST', `/${id}/retrieve`, {
      query: 'crosswise',
      retrieval_model: { score_threshold: 0.9999, score_threshold_enabled: true, search_method: 'semantic_search', top_k: 5 },
    });
    expect(strict.body['records']).toEqual([]);
    expect((await kb('POST', `/${id}/retrieve`, { query: 'x', retrieval_model: { search_method: 'telepathy' } })).status).toBe(400);
    expect((await kb('POST', `/${id}/retrieve`, { retrieval_model: {} })).status).toBe(400);
  });

  it('gives a dataset that has grown its own vector index, answers searches with it in place, and drops it with the dataset', async () => {
    const id = await newDataset('Mill ledger');
    const crafts = [
      'carding',
      'spinning',
      'warping',
      'sizing',
      'drawing',
      'beaming',
      'shedding',
      'picking',
      'beating',
      'finishing',
      'fulling',
      'napping',
    ];
    const lines = crafts.map(
      (craft, i) => `Ledger line ${i}: the ${craft} room of the mill ${Array.from({ length: 30 }, (_, k) => `${craft}${k}`).join(' ')}.`,
    );
    const created = await kb('POST', `/${id}/document/create-by-text`, {
      indexing_technique: 'high_quality',
      name: 'ledger.txt',
      process_rule: {
        mode: 'custom',
        rules: { pre_processing_rules: [], segmentation: { chunk_overlap: 0, max_tokens: 60, separator: '\\n' } },
      },
      text: lines.join('\n'),
    });
    expect(created.status).toBe(200);
    const status = await indexed(id, created.body['batch'] as string);
    expect(status['indexing_status']).toBe('completed');
    expect(status['total_segments']).toBeGreaterThanOrEqual(OWN_INDEX_MIN_SEGMENTS);

    const name = `segments_ds_${id.replace(/-/g, '')}_512_hnsw`;
    const state = () =>
      queryDatabase<{ valid: boolean }>(
        stack.database.url,
        `SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = $1`,
        [name],
      );
    await pollUntil(async () => (await state())[0]?.valid === true, { timeoutMs: 30_000, what: `index ${name} built` });

    for (const craft of ['spinning', 'fulling']) {
      const found = await kb('POST', `/${id}/retrieve`, {
        query: `the ${craft} room`,
        retrieval_model: { search_method: 'semantic_search', top_k: 2 },
      });
      expect(found.status).toBe(200);
      expect([craft, (found.body['records'] as { segment: { content: string } }[])[0]?.segment.content]).toEqual([
        craft,
        expect.stringContaining(`the ${craft} room`),
      ]);
    }

    expect((await kb('DELETE', `/${id}`)).status).toBe(204);
    await pollUntil(async () => (await state()).length === 0, { timeoutMs: 30_000, what: `index ${name} dropped` });
  });

  it('filters by document metadata, edits segments by hand, and disables documents', async () => {
    const id = await newDataset('Catalogue');
    const a = await addText(id, 'en.txt', 'Linen is spun from flax fibres.');
    const b = await addText(id, 'fr.txt', 'Linen fibres are spun in France.');
    await indexed(id, a.batch);
    await indexed(id, b.batch);
    const field = await kb('POST', `/${id}/metadata`, { name: 'lang', type: 'string' });
    expect(field.status).toBe(201);
    const fieldId = field.body['id'] as string;
    const set = await kb('POST', `/${id}/documents/metadata`, {
      operation_data: [
        { document_id: a.document['id'], metadata_list: [{ id: fieldId, name: 'lang', value: 'en' }] },
        { document_id: b.document['id'], metadata_list: [{ id: fieldId, name: 'lang', value: 'fr' }] },
      ],
    });
    expect(set.body).toEqual({ result: 'success' });
    const unknownDocument = await kb('POST', `/${id}/documents/metadata`, {
      operation_data: [
        { document_id: '00000000-0000-4000-8000-000000000000', metadata_list: [{ id: fieldId, name: 'lang', value: 'de' }] },
      ],
    });
    expect(unknownDocument.status).toBe(404);
    const filtered = await kb('POST', `/${id}/retrieve`, {
      query: 'linen fibres',
      retrieval_model: {
        metadata_filtering_conditions: { conditions: [{ comparison_operator: 'is', name: 'lang', value: 'fr' }], logical_operator: 'and' },
        search_method: 'hybrid_search',
        top_k: 5,
      },
    });
    expect((filtered.body['records'] as { segment: { document: { name: string } } }[]).map((r) => r.segment.document.name)).toEqual([
      'fr.txt',
    ]);
    expect((await kb('GET', `/${id}/metadata`)).body).toMatchObject({
      doc_metadata: [{ count: 2, id: fieldId, name: 'lang', type: 'string' }],
    });
    expect((await kb('PATCH', `/${id}/metadata/${fieldId}`, { name: 'language' })).body).toEqual({
      id: fieldId,
      name: 'language',
      type: 'string',
    });
    const docA = await kb('GET', `/${id}/documents/${String(a.document['id'])}`);
    expect(docA.body['doc_metadata']).toEqual([{ id: fieldId, name: 'language', type: 'string', value: 'en' }]);
    const spare = await kb('POST', `/${id}/metadata`, { name: 'spare', type: 'number' });
    expect((await kb('DELETE', `/${id}/metadata/${String(spare.body['id'])}`)).status).toBe(204);
    expect((await kb('GET', `/${id}/metadata`)).body['doc_metadata']).toHaveLength(1);
    expect((await kb('POST', `/${id}/metadata`, { name: 'bad', type: 'colour' })).status).toBe(400);

    const docId = a.document['id'] as string;
    const added = await kb('POST', `/${id}/documents/${docId}/segments`, {
      segments: [{ content: 'Flax retting softens the stalks.', keywords: ['flax'] }],
    });
    expect(added.status).toBe(200);
    const segmentId = (added.body['data'] as { id: string }[])[0]!.id;
    const listed = await kb('GET', `/${id}/documents/${docId}/segments`);
    expect((listed.body['data'] as { content: string }[]).map((s) => s.content)).toEqual([
      'Linen is spun from flax fibres.',
      'Flax retting softens the stalks.',
    ]);
    const retting = await kb('POST', `/${id}/retrieve`, {
      query: 'retting',
      retrieval_model: { search_method: 'full_text_search', top_k: 1 },
    });
    expect((retting.body['records'] as { segment: { id: string } }[])[0]!.segment.id).toBe(segmentId);
    const edited = await kb('POST', `/${id}/documents/${docId}/segments/${segmentId}`, {
      segment: { content: 'Dew retting takes weeks.' },
    });
    expect(edited.body).toMatchObject({ data: { content: 'Dew retting takes weeks.', word_count: 24 } });
    const disabled = await kb('POST', `/${id}/documents/${docId}/segments/${segmentId}`, { segment: { enabled: false } });
    expect((disabled.body['data'] as { enabled: boolean }).enabled).toBe(false);
    expect(
      (await kb('POST', `/${id}/retrieve`, { query: 'retting', retrieval_model: { search_method: 'full_text_search', top_k: 1 } })).body[
        'records'
      ],
    ).toEqual([]);
    expect((await kb('DELETE', `/${id}/documents/${docId}/segments/${segmentId}`)).body).toEqual({ result: 'success' });
    expect((await kb('GET', `/${id}/documents/${docId}/segments/${segmentId}`)).status).toBe(404);

    expect((await kb('PATCH', `/${id}/documents/status/disable`, { document_ids: [b.document['id']] })).body).toEqual({
      result: 'success',
    });
    const afterDisable = await kb('POST', `/${id}/retrieve`, {
      query: 'linen France',
      retrieval_model: { search_method: 'full_text_search', top_k: 5 },
    });
    expect((afterDisable.body['records'] as { segment: { document: { name: string } } }[]).map((r) => r.segment.document.name)).toEqual([
      'en.txt',
    ]);
    expect((await kb('PATCH', `/${id}/documents/status/explode`, { document_ids: [docId] })).status).toBe(400);
    expect((await kb('DELETE', `/${id}/documents/${docId}`)).body).toEqual({ result: 'success' });
    expect((await kb('GET', `/${id}/documents/${docId}`)).status).toBe(404);
  });

  it('refuses bad uploads, ends a corrupt PDF in error with a reason, and keeps the queue moving', async () => {
    const id = await newDataset('Uploads');
    const image = await upload(id, 'photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png');
    expect(image.status).toBe(415);
    expect(image.body['code']).toBe('unsupported_file_type');
    const exe = await upload(id, 'tool.exe', Buffer.from('MZ'), 'application/octet-stream');
    expect(exe.status).toBe(415);
    const big = await upload(id, 'big.txt', Buffer.alloc(16 * 1024 * 1024, 'a'), 'text/plain');
    expect(big.status).toBe(413);
    const badData = await fetch(`${stack.gateway.baseUrl}/v1/datasets/${id}/document/create-by-file`, {
      body: (() => {
        const form = new FormData();
        form.append('file', new Blob(['hello']), 'a.txt');
        form.append('data', '{not json');
        return form;
      })(),
      headers: { authorization: `Bearer ${key}` },
      method: 'POST',
    });
    expect(badData.status).toBe(400);
    expect((await kb('POST', `/${id}/document/create-by-text`, { name: 'x' })).status).toBe(400);
    expect(
      (
        await kb('POST', `/${id}/document/create-by-text`, {
          name: 'x',
          text: 'y',
          process_rule: { mode: 'custom', rules: { segmentation: { max_tokens: 10 } } },
        })
      ).status,
    ).toBe(400);

    const corrupt = await upload(id, 'broken.pdf', Buffer.from('%PDF-1.4\nthis is not a pdf at all'), 'application/pdf');
    expect(corrupt.status).toBe(200);
    const after = await addText(id, 'after.txt', 'The queue keeps moving after a poisoned document.');
    const failed = await indexed(id, corrupt.body['batch'] as string);
    expect(failed['indexing_status']).toBe('error');
    expect(String(failed['error'])).toMatch(/pdf/i);
    expect((await indexed(id, after.batch))['indexing_status']).toBe('completed');
    const docs = await kb('GET', `/${id}/documents?status=error`);
    expect((docs.body['data'] as { name: string }[]).map((d) => d.name)).toEqual(['broken.pdf']);

    // A workspace whose embedding provider points at a private address the operator did not allow.
    const otherToken = await client.register();
    await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: 'http://127.0.0.1:9', openai_api_key: 'sk-x' } },
      token: otherToken,
    });
    const otherKey = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: otherToken })).body.token;
    const ssrf = await kb(
      'POST',
      '',
      {
        embedding_model: 'text-embedding-3-small',
        embedding_model_provider: 'openai',
        indexing_technique: 'high_quality',
        name: 'internal',
      },
      otherKey,
    );
    const attempt = await kb(
      'POST',
      `/${String(ssrf.body['id'])}/document/create-by-text`,
      { name: 'a.txt', text: 'hello internal network' },
      otherKey,
    );
    const refused = await pollUntil(
      async () => {
        const res = await kb(
          'GET',
          `/${String(ssrf.body['id'])}/documents/${String(attempt.body['batch'])}/indexing-status`,
          undefined,
          otherKey,
        );
        const entry = (res.body['data'] as Record<string, unknown>[])[0]!;
        return entry['indexing_status'] === 'error' ? entry : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(String(refused['error'])).toMatch(/refused/i);
  });

  it('embeds with an OpenAI-compatible server, caches embeddings by content, and survives a rag crash mid-document', async () => {
    const id = await newDataset('Remote', { embedding_model: 'fake-embed', embedding_model_provider: 'langgenius/openai/openai' });
    const first = await addText(id, 'remote.txt', WEAVING);
    expect((await indexed(id, first.batch))['indexing_status']).toBe('completed');
    const texts = embeddings.calls.flat().length;
    expect(texts).toBeGreaterThan(0);
    const found = await kb('POST', `/${id}/retrieve`, {
      query: 'shuttle heddles shed',
      retrieval_model: { search_method: 'semantic_search', top_k: 1 },
    });
    expect((found.body['records'] as { segment: { content: string } }[])[0]!.segment.content).toContain('shuttle');
    // Re-indexing unchanged text asks the provider for nothing new.
    const calls = embeddings.calls.length;
    const again = await kb('POST', `/${id}/documents/${String(first.document['id'])}/update-by-text`, {
      name: 'remote.txt',
      text: WEAVING,
    });
    expect((await indexed(id, again.body['batch'] as string))['indexing_status']).toBe('completed');
    expect(embeddings.calls.length).toBe(calls);

    // A long document, embedded slowly: the rag service is killed while indexing it and started again.
    const paragraphs = Array.from(
      { length: 120 },
      (_, i) => `Paragraph ${i} about loom part ${i} and thread number ${i * 7} in the weaving mill.`,
    );
    embeddings.delayMs = 400;
    const long = await kb('POST', `/${id}/document/create-by-text`, {
      name: 'long.txt',
      process_rule: {
        mode: 'custom',
        rules: { pre_processing_rules: [], segmentation: { chunk_overlap: 0, max_tokens: 100, separator: '\\n' } },
      },
      text: paragraphs.join('\n'),
    });
    const batch = long.body['batch'] as string;
    await pollUntil(
      async () =>
        (await kb('GET', `/${id}/documents/${batch}/indexing-status`)).body['data'] &&
        ((await kb('GET', `/${id}/documents/${batch}/indexing-status`)).body['data'] as { indexing_status: string }[])[0]!
          .indexing_status === 'indexing',
      {
        timeoutMs: 20_000,
      },
    );
    await stack.processes.rag.stop('SIGKILL');
    embeddings.delayMs = 0;
    stack.processes.rag.start();
    await stack.processes.rag.waitReady();
    const done = await indexed(id, batch);
    expect(done['indexing_status']).toBe('completed');
    expect(done['total_segments']).toBe(120);
    // The restarted service took the job over from the killed one (a second delivery), rather than a first run finishing it.
    expect(stack.processes.rag.logs()).toMatch(/is indexed again \(delivery [2-9]\)/);
    const rows = await queryDatabase<{ n: string; positions: string }>(
      stack.database.url,
      'SELECT count(*) AS n, count(DISTINCT position) AS positions FROM rag.segments WHERE document_id = $1',
      [long.body['document'] && (long.body['document'] as { id: string }).id],
    );
    expect(rows[0]).toEqual({ n: '120', positions: '120' });
  });

  it('feeds a knowledge-retrieval node into an llm prompt, and a chatflow reports retriever_resources', async () => {
    const id = await newDataset('For workflows');
    const { batch } = await addText(id, 'weaving.txt', WEAVING);
    await indexed(id, batch);
    const llm = {
      context: { enabled: true, variable_selector: ['kr', 'result'] },
      model: { completion_params: {}, mode: 'chat', name: 'weft-mock-chat', provider: 'weft-mock' },
      prompt_template: [{ role: 'user', text: 'Context: {{#context#}} Question: {{#start.q#}}' }],
    };
    const kr = {
      dataset_ids: [id],
      multiple_retrieval_config: { top_k: 1 },
      query_variable_selector: ['start', 'q'],
      retrieval_mode: 'multiple',
    };
    const workflow = new DslBuilder('rag workflow')
      .node('start', 'start', { variables: [textInput('q')] })
      .node('kr', 'knowledge-retrieval', kr)
      .node('llm', 'llm', llm)
      .node('end', 'end', endData({ answer: ['llm', 'text'], found: ['kr', 'result'] }))
      .chain('start', 'kr', 'llm', 'end')
      .toYaml();
    const app = await client.deploy(token, workflow);
    const run = await client.run(app.key, { q: 'what carries the weft through the shed' });
    const outputs = (
      run.body['data'] as { outputs: { answer: string; found: { content: string; metadata: Record<string, unknown>; title: string }[] } }
    ).outputs;
    expect(outputs.found).toHaveLength(1);
    expect(outputs.found[0]).toMatchObject({
      metadata: { _source: 'knowledge', dataset_id: id, dataset_name: 'For workflows', document_name: 'weaving.txt', position: 1 },
      title: 'weaving.txt',
    });
    expect(outputs.answer).toContain(`Context: ${outputs.found[0]!.content}`);

    const chatflow = new DslBuilder('rag chat', 'advanced-chat')
      .node('start', 'start', { variables: [] })
      .node('kr', 'knowledge-retrieval', { ...kr, query_variable_selector: ['sys', 'query'] })
      .node('llm', 'llm', { ...llm, prompt_template: [{ role: 'user', text: 'Context: {{#context#}} Question: {{#sys.query#}}' }] })
      .node('answer', 'answer', { answer: '{{#llm.text#}}' })
      .chain('start', 'kr', 'llm', 'answer')
      .toYaml();
    const chat = await client.deploy(token, chatflow);
    const res = await client.call('POST', '/v1/chat-messages', {
      body: { inputs: {}, query: 'what does the shuttle carry', response_mode: 'blocking', user: 'reader' },
      token: chat.key,
    });
    const resources = (res.body['metadata'] as { retriever_resources: Record<string, unknown>[] }).retriever_resources;
    expect(resources).toEqual([
      expect.objectContaining({
        dataset_id: id,
        dataset_name: 'For workflows',
        document_name: 'weaving.txt',
        position: 1,
        score: expect.any(Number),
      }),
    ]);
  });
  it('indexes parent-child documents: child chunks are searched, parents returned with the matching children', async () => {
    const id = await newDataset('Parent child');
    const paragraphs = [
      [
        'A loom holds the warp threads under tension.',
        'Heddles lift alternate warp threads to open the shed.',
        'The beater packs each new pick of weft tightly.',
      ],
      [
        'Bread dough rises while the yeast ferments.',
        'Kneading builds gluten so the loaf holds its shape.',
        'A hot oven sets the crust within minutes.',
      ],
    ];
    const text = paragraphs.map((lines) => lines.join('\n')).join('\n\n');
    const process_rule = {
      mode: 'hierarchical',
      rules: {
        parent_mode: 'paragraph',
        pre_processing_rules: [],
        segmentation: { chunk_overlap: 0, max_tokens: 500, separator: '\\n\\n' },
        subchunk_segmentation: { chunk_overlap: 0, max_tokens: 100, separator: '\\n' },
      },
    };
    const wrongForm = await kb('POST', `/${id}/document/create-by-text`, {
      doc_form: 'hierarchical_model',
      indexing_technique: 'high_quality',
      name: 'x.txt',
      process_rule: { mode: 'automatic' },
      text,
    });
    expect(wrongForm.status).toBe(400);
    const created = await kb('POST', `/${id}/document/create-by-text`, {
      doc_form: 'hierarchical_model',
      indexing_technique: 'high_quality',
      name: 'mixed.txt',
      process_rule,
      text,
    });
    expect(created.status).toBe(200);
    expect((created.body['document'] as { doc_form: string }).doc_form).toBe('hierarchical_model');
    const docId = (created.body['document'] as { id: string }).id;
    expect((await indexed(id, created.body['batch'] as string))['indexing_status']).toBe('completed');

    type Child = { content: string; id: string; position: number; segment_id: string; type: string; word_count: number };
    const segments = await kb('GET', `/${id}/documents/${docId}/segments`);
    expect(segments.body['doc_form']).toBe('hierarchical_model');
    const parents = segments.body['data'] as { child_chunks: Child[]; content: string; id: string }[];
    expect(parents.map((p) => p.content)).toEqual(paragraphs.map((lines) => lines.join('\n')));
    expect(parents.map((p) => p.child_chunks.map((c) => c.content))).toEqual(paragraphs);
    expect(parents[1]!.child_chunks[0]).toMatchObject({
      position: 1,
      segment_id: parents[1]!.id,
      type: 'automatic',
      word_count: paragraphs[1]![0]!.length,
    });

    type ParentRecord = {
      child_chunks: { content: string; id: string; position: number; score: number }[];
      score: number;
      segment: { content: string; id: string };
    };
    for (const search_method of ['semantic_search', 'full_text_search', 'hybrid_search']) {
      const found = await kb('POST', `/${id}/retrieve`, { query: 'kneading gluten loaf', retrieval_model: { search_method, top_k: 2 } });
      const records = found.body['records'] as ParentRecord[];
      expect([search_method, records[0]!.segment.id]).toEqual([search_method, parents[1]!.id]);
      expect(records[0]!.segment.content).toBe(paragraphs[1]!.join('\n'));
      expect(records[0]!.child_chunks[0]).toMatchObject({ content: paragraphs[1]![1], position: 2, score: expect.any(Number) });
      expect(records[0]!.score).toBe(records[0]!.child_chunks[0]!.score);
    }

    const base = `/${id}/documents/${docId}/segments/${parents[0]!.id}/child_chunks`;
    expect((await kb('GET', base)).body).toMatchObject({ limit: 20, page: 1, total: 3, total_pages: 1 });
    const added = await kb('POST', base, { content: 'The selvedge keeps woven edges from fraying.' });
    expect(added.status).toBe(200);
    const child = (added.body as { data: Child }).data;
    expect(child).toMatchObject({
      content: 'The selvedge keeps woven edges from fraying.',
      position: 4,
      segment_id: parents[0]!.id,
      type: 'customized',
    });
    const selvedge = await kb('POST', `/${id}/retrieve`, {
      query: 'selvedge fraying',
      retrieval_model: { search_method: 'full_text_search', top_k: 1 },
    });
    expect((selvedge.body['records'] as ParentRecord[]).map((r) => [r.segment.id, r.child_chunks.map((c) => c.id)])).toEqual([
      [parents[0]!.id, [child.id]],
    ]);
    const patched = await kb('PATCH', `${base}/${child.id}`, { content: 'Selvedges are the finished edges.' });
    expect((patched.body as { data: Child }).data).toMatchObject({
      content: 'Selvedges are the finished edges.',
      id: child.id,
      word_count: 33,
    });
    expect((await kb('POST', base, {})).status).toBe(400);
    expect((await kb('PATCH', `${base}/00000000-0000-4000-8000-000000000000`, { content: 'x' })).status).toBe(404);
    expect((await kb('DELETE', `${base}/${child.id}`)).status).toBe(204);
    expect((await kb('GET', `${base}?keyword=warp`)).body).toMatchObject({ total: 2 });

    const regenerated = await kb('POST', `/${id}/documents/${docId}/segments/${parents[1]!.id}`, {
      segment: { content: 'Rye bread is dense.\nSourdough needs a starter.', regenerate_child_chunks: true },
    });
    expect((regenerated.body['data'] as { child_chunks: Child[] }).child_chunks.map((c) => c.content)).toEqual([
      'Rye bread is dense.',
      'Sourdough needs a starter.',
    ]);

    // Indexing the document again replaces its segments and child chunks, without duplicates.
    const redone = await kb('POST', `/${id}/documents/${docId}/update-by-text`, { process_rule, text });
    expect((await indexed(id, redone.body['batch'] as string))['indexing_status']).toBe('completed');
    const rows = await queryDatabase<{ children: string; positions: string }>(
      stack.database.url,
      'SELECT count(*) AS children, count(DISTINCT (segment_id, position)) AS positions FROM rag.child_chunks WHERE document_id = $1',
      [docId],
    );
    expect(rows[0]).toEqual({ children: '6', positions: '6' });
    expect((await kb('DELETE', `/${id}/documents/${docId}`)).body).toEqual({ result: 'success' });
    expect((await queryDatabase(stack.database.url, 'SELECT 1 FROM rag.child_chunks WHERE document_id = $1', [docId])).length).toBe(0);
    // Emptied, the dataset takes its next document's form, and plain segments are searched again.
    const plain = await addText(id, 'plain.txt', 'Tapestry weaving uses discontinuous weft.');
    await indexed(id, plain.batch);
    expect((await kb('GET', `/${id}`)).body['doc_form']).toBe('text_model');
    const again = await kb('POST', `/${id}/retrieve`, {
      query: 'tapestry discontinuous weft',
      retrieval_model: { search_method: 'semantic_search', top_k: 1 },
    });
    expect((again.body['records'] as ParentRecord[]).map((r) => [r.segment.content, r.child_chunks])).toEqual([
      ['Tapestry weaving uses discontinuous weft.', []],
    ]);
  });

  it('routes single mode to the dataset the model picks, and applies metadata filters the model finds', async () => {
    const weaving = await newDataset('Weaving notes', { description: 'Looms, warp and weft' });
    const baking = await newDataset('Baking notes', { description: 'Bread, dough and ovens' });
    const w = await addText(weaving, 'loom.txt', 'The loom rises early; dough is not involved in weaving.');
    const b = await addText(baking, 'bread.txt', 'Dough rises for two hours before baking.');
    await indexed(weaving, w.batch);
    await indexed(baking, b.batch);
    const model = { completion_params: {}, mode: 'chat', name: 'gpt-router', provider: 'openai' };
    const single = {
      dataset_ids: [weaving, baking],
      query_variable_selector: ['start', 'q'],
      retrieval_mode: 'single',
      single_retrieval_config: { model },
    };
    const app = await client.deploy(
      token,
      new DslBuilder('routed retrieval')
        .node('start', 'start', { variables: [textInput('q')] })
        .node('kr', 'knowledge-retrieval', single)
        .node('end', 'end', endData({ found: ['kr', 'result'] }))
        .chain('start', 'kr', 'end')
        .toYaml(),
    );
    type Found = { metadata: { dataset_name: string; document_name: string } }[];
    const found = async (q: string) => (await client.run(app.key, { q })).body['data'] as { outputs: { found: Found }; status: string };
    // The model calls the function described as being about bread.
    embeddings.chat = (body) => {
      const tool = body.tools?.find((t) => t.function.description.includes('Bread'));
      return tool
        ? { tool_calls: [{ function: { arguments: '{}', name: tool.function.name }, id: 'call_1', type: 'function' }] }
        : { content: 'no tool' };
    };
    embeddings.chats.length = 0;
    const routed = await found('how long does dough rise');
    expect(routed.status).toBe('succeeded');
    expect(routed.outputs.found.map((f) => f.metadata.dataset_name)).toEqual(['Baking notes']);
    expect(embeddings.chats[0]!.tools!.map((t) => t.function.name).sort()).toEqual([weaving, baking].sort());
    embeddings.chat = () => ({ content: 'none of these' });
    expect((await found('how long does dough rise')).outputs.found).toEqual([]);

    // A model served without tool support refuses the functions: the router asks again in prose (ReAct)
    // and searches the dataset the answer names.
    embeddings.chat = (body) =>
      body.tools
        ? { error: 'gpt-router does not support tools', status: 400 }
        : { content: `Thought: this is about bread.\n\`\`\`json\n{"action": "${baking}", "action_input": "dough"}\n\`\`\`` };
    embeddings.chats.length = 0;
    const prose = await found('how long does dough rise');
    expect(prose.status).toBe('succeeded');
    expect(prose.outputs.found.map((f) => f.metadata.dataset_name)).toEqual(['Baking notes']);
    expect(embeddings.chats.map((c) => Boolean(c.tools))).toEqual([true, false]);
    expect(embeddings.chats[1]!.messages[0]!.content).toContain(`- ${weaving}: Looms, warp and weft`);
    // A prose answer that names no dataset searches nothing.
    embeddings.chat = (body) =>
      body.tools
        ? { error: 'gpt-router does not support tools', status: 400 }
        : { content: '{"action": "Final Answer", "action_input": "I do not know"}' };
    expect((await found('how long does dough rise')).outputs.found).toEqual([]);

    const catalog = await newDataset('Loom catalog');
    const old = await addText(catalog, 'old.txt', 'A countermarch loom with four shafts.');
    const recent = await addText(catalog, 'new.txt', 'A computer dobby loom with sixteen shafts.');
    await indexed(catalog, old.batch);
    await indexed(catalog, recent.batch);
    const field = await kb('POST', `/${catalog}/metadata`, { name: 'year', type: 'number' });
    const fieldId = field.body['id'] as string;
    await kb('POST', `/${catalog}/documents/metadata`, {
      operation_data: [
        { document_id: old.document['id'], metadata_list: [{ id: fieldId, name: 'year', value: 1990 }] },
        { document_id: recent.document['id'], metadata_list: [{ id: fieldId, name: 'year', value: 2024 }] },
      ],
    });
    const automatic = await client.deploy(
      token,
      new DslBuilder('filtered retrieval')
        .node('start', 'start', { variables: [textInput('q')] })
        .node('kr', 'knowledge-retrieval', {
          dataset_ids: [catalog],
          metadata_filtering_mode: 'automatic',
          metadata_model_config: model,
          multiple_retrieval_config: { top_k: 5 },
          query_variable_selector: ['start', 'q'],
          retrieval_mode: 'multiple',
        })
        .node('end', 'end', endData({ found: ['kr', 'result'] }))
        .chain('start', 'kr', 'end')
        .toYaml(),
    );
    embeddings.chats.length = 0;
    embeddings.chat = () => ({
      content: JSON.stringify({ metadata_map: [{ comparison_operator: '>', metadata_field_name: 'year', metadata_field_value: '2000' }] }),
    });
    const filtered = (await client.run(automatic.key, { q: 'looms built after 2000' })).body['data'] as { outputs: { found: Found } };
    expect(filtered.outputs.found.map((f) => f.metadata.document_name)).toEqual(['new.txt']);
    expect(JSON.parse(embeddings.chats[0]!.messages.at(-1)!.content)).toEqual({
      input_text: 'looms built after 2000',
      metadata_fields: ['year'],
    });
    embeddings.chat = () => ({ content: 'nothing to filter' });
    const unfiltered = (await client.run(automatic.key, { q: 'looms with shafts' })).body['data'] as { outputs: { found: Found } };
    expect(unfiltered.outputs.found.map((f) => f.metadata.document_name).sort()).toEqual(['new.txt', 'old.txt']);
  });

  it('shares ingestion between rag replicas, and a change drops cached retrievals on every replica', async () => {
    const second = await stack.replica('rag');
    second.start();
    await second.waitReady();
    // Each replica counts the documents it indexed.
    const indexedBy = async (baseUrl: string) =>
      Number(
        /^weft_ingestion_documents_total\{status="completed"\} (\d+)/m.exec(await (await fetch(`${baseUrl}/metrics`)).text())?.[1] ?? 0,
      );
    const before = [await indexedBy(stack.processes.rag.baseUrl), await indexedBy(second.baseUrl)];
    const id = await newDataset('Shared', { embedding_model: 'fake-embed', embedding_model_provider: 'openai' });
    embeddings.delayMs = 300;
    const batches: string[] = [];
    for (let i = 0; i < 10; i++)
      batches.push((await addText(id, `doc${i}.txt`, `Document ${i} is about bobbin number ${i} and the spindle${i}.`)).batch);
    for (const batch of batches) expect((await indexed(id, batch))['indexing_status']).toBe('completed');
    embeddings.delayMs = 0;
    const after = [await indexedBy(stack.processes.rag.baseUrl), await indexedBy(second.baseUrl)];
    expect(after[0]! - before[0]! + after[1]! - before[1]!).toBe(10);
    expect(after[0]! - before[0]!).toBeGreaterThan(0);
    expect(after[1]! - before[1]!).toBeGreaterThan(0);

    const ask = async () => {
      const res = await kb('POST', `/${id}/retrieve`, {
        query: 'spindle3',
        retrieval_model: { search_method: 'full_text_search', top_k: 3 },
      });
      return (res.body['records'] as { segment: { content: string; document: { name: string } } }[]).map(
        (r) => `${r.segment.document.name}: ${r.segment.content}`,
      );
    };
    const answer = ['doc3.txt: Document 3 is about bobbin number 3 and the spindle3.'];
    // Requests spread over both replicas (a queue group), so both caches hold the answer.
    for (let i = 0; i < 8; i++) expect(await ask()).toEqual(answer);
    // Changed behind the service's back: the cache keeps answering what it holds, which shows it answers.
    await queryDatabase(stack.database.url, `UPDATE rag.segments SET content = 'tampered' WHERE dataset_id = $1`, [id]);
    for (let i = 0; i < 4; i++) expect(await ask()).toEqual(answer);
    const docs = await kb('GET', `/${id}/documents?keyword=doc3&limit=5`);
    const doc3 = (docs.body['data'] as { id: string }[])[0]!.id;
    expect((await kb('DELETE', `/${id}/documents/${doc3}`)).body).toEqual({ result: 'success' });
    for (let i = 0; i < 8; i++) expect(await ask()).toEqual([]);
  });
});
