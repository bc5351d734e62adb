import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import { DslBuilder, pollUntil, readSse, TestStack, uniqueTestEmail, WeftClient, type JsonResponse } from '@weft/testing';

/** Test servers listen on 127.0.0.2, the one private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';
const DIM = 64;
const EMBEDDING = { embedding_model_name: 'text-embedding-3-small', embedding_provider_name: 'openai' };

/** The fake provider's embedding: words hashed into 64 buckets, unit length, so texts with the same words are the same vector. */
function bagOfWords(text: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) v[createHash('md5').update(word).digest()[0]! % DIM] += 1;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

const cosine = (a: string, b: string) => bagOfWords(a).reduce((sum, x, i) => sum + x * bagOfWords(b)[i]!, 0);

/**
 * A local OpenAI-compatible server speaking the real wire format: `/v1/embeddings` answers `bagOfWords` vectors
 * (each call recorded, `delayMs` slows them), `/v1/chat/completions` answers `LLM: <last user message>`, streamed or
 * not, and counts the calls that answer a turn (not those that title a conversation), so a test sees whether a turn ran its model.
 */
async function startProvider(): Promise<{ chats: number; delayMs: number; embedded: string[][]; server: Server; url: string }> {
  const state = { chats: 0, delayMs: 0, embedded: [] as string[][], server: null as unknown as Server, url: '' };
  state.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/embeddings') {
        const { input } = JSON.parse(body) as { input: string[] };
        state.embedded.push(input);
        const data = input.map((text, index) => ({ embedding: bagOfWords(text), index, object: 'embedding' }));
        const timer = setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data, model: 'fake-embed', object: 'list', usage: { prompt_tokens: 1, total_tokens: 1 } }));
        }, state.delayMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const request = JSON.parse(body) as { messages: { content: string; role: string }[]; stream?: boolean };
      // A new conversation's title is written by the model in the background, whoever answered its first turn (Dify too).
      if (!request.messages.some((m) => m.role === 'system' && m.content.includes('titles for conversations'))) state.chats++;
      const text = `LLM: ${[...request.messages].reverse().find((m) => m.role === 'user')?.content ?? ''}`;
      const usage = { completion_tokens: 3, prompt_tokens: 10, total_tokens: 13 };
      if (!request.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            choices: [{ finish_reason: 'stop', index: 0, message: { content: text, role: 'assistant' } }],
            id: 'c1',
            object: 'chat.completion',
            usage,
          }),
        );
        return;
      }
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ choices: [{ delta, finish_reason: finish, index: 0 }], id: 'c1', object: 'chat.completion.chunk' })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ content: text }, null));
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({ choices: [], id: 'c1', object: 'chat.completion.chunk', usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, ALLOWED_HOST, resolve));
  state.url = `http://${ALLOWED_HOST}:${(state.server.address() as { port: number }).port}`;
  return state;
}

const openai = { completion_params: { temperature: 0 }, mode: 'chat', name: 'gpt-4o-mini', provider: 'langgenius/openai/openai' };

/** start → llm → answer: every turn that runs its workflow calls the model. */
function llmChatflow(name: string): string {
  return new DslBuilder(name, 'advanced-chat')
    .node('start', 'start', { variables: [] })
    .node('llm', 'llm', {
      context: { enabled: false, variable_selector: [] },
      model: openai,
      prompt_template: [{ role: 'user', text: '{{#sys.query#}}' }],
      vision: { enabled: false },
    })
    .node('answer', 'answer', { answer: '{{#llm.text#}}' })
    .chain('start', 'llm', 'answer')
    .toYaml();
}

/** start → answer "You said: <query>": a chatflow that needs no model. */
function echoChatflow(name: string): string {
  return new DslBuilder(name, 'advanced-chat')
    .node('start', 'start', { variables: [] })
    .node('answer', 'answer', { answer: 'You said: {{#sys.query#}}' })
    .chain('start', 'answer')
    .toYaml();
}

function classicApp(mode: 'chat' | 'completion'): string {
  return stringify({
    app: { description: 'classic', icon: '🤖', icon_background: '#FFEAD5', mode, name: `classic ${mode}`, use_icon_as_answer_icon: false },
    kind: 'app',
    model_config: {
      agent_mode: { enabled: false, strategy: 'function_call', tools: [] },
      dataset_configs: { datasets: { datasets: [] }, retrieval_model: 'multiple' },
      model: openai,
      pre_prompt: mode === 'completion' ? 'Say {{topic}}' : 'You are terse.',
      prompt_type: 'simple',
      user_input_form: mode === 'completion' ? [{ 'text-input': { label: 'Topic', required: false, variable: 'topic' } }] : [],
    },
    version: '0.6.0',
  });
}

const NOT_FOUND_ROUTE =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';

describe('annotations: Dify`s annotation routes and annotation reply in chat apps', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let provider: Awaited<ReturnType<typeof startProvider>>;
  const AUTHOR = 'Annotation Author';

  const api = (method: string, path: string, key: string, body?: unknown) => client.call(method, `/v1/apps${path}`, { body, token: key });
  const annotate = async (key: string, question: string, answer: string) => {
    const res = await api('POST', '/annotations', key, { answer, question });
    expect(res.status).toBe(201);
    return res.body as { answer: string; created_at: number; hit_count: number; id: string; question: string };
  };
  const chat = (key: string, query: string, extra: Record<string, unknown> = {}) =>
    client.call('POST', '/v1/chat-messages', { body: { inputs: {}, query, response_mode: 'blocking', user: 'ada', ...extra }, token: key });
  const chatStream = async (key: string, query: string) => {
    const res = await fetch(`${stack.gateway.baseUrl}/v1/chat-messages`, {
      body: JSON.stringify({ inputs: {}, query, response_mode: 'streaming', user: 'ada' }),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      method: 'POST',
    });
    expect(res.status).toBe(200);
    return (await readSse(res)).events;
  };
  /** Starts an enable or disable job and waits until it has finished; answers its final status. */
  const replyJob = async (key: string, action: 'enable' | 'disable', threshold = 0.9, embedding = EMBEDDING) => {
    const started = await api('POST', `/annotation-reply/${action}`, key, { ...embedding, score_threshold: threshold });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ job_id: expect.any(String), job_status: 'waiting' });
    const jobId = started.body['job_id'] as string;
    return pollUntil(
      async () => {
        const status = await api('GET', `/annotation-reply/${action}/status/${jobId}`, key);
        expect(status.status).toBe(200);
        return ['completed', 'error'].includes(status.body['job_status'] as string) ? status.body : undefined;
      },
      { timeoutMs: 30_000, what: `annotation reply ${action} job ${jobId}` },
    );
  };
  const expectError = (res: JsonResponse, status: number, code: string, message?: string) =>
    expect(res.body).toEqual({ code, message: message ?? expect.any(String), status });

  beforeAll(async () => {
    provider = await startProvider();
    stack = await TestStack.create({ env: { PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST, SSRF_ALLOWED_HOSTS: ALLOWED_HOST } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = (await client.signUp(uniqueTestEmail('author'), { name: AUTHOR })).access_token;
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: provider.url, openai_api_key: 'sk-annotations' } },
      token,
    });
    expect(saved.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.destroy();
    provider?.server.close();
  });

  it('creates, pages, searches, updates and deletes annotations in Dify`s shapes, refusing bad input with Dify`s errors', async () => {
    const app = await client.deploy(token, echoChatflow('crud'));
    const first = await annotate(app.key, 'How do I brew green tea?', 'At 80 °C, for two minutes.');
    expect(first).toEqual({
      answer: 'At 80 °C, for two minutes.',
      created_at: expect.any(Number),
      hit_count: 0,
      id: expect.any(String),
      question: 'How do I brew green tea?',
    });
    expect(Math.abs(first.created_at - Date.now() / 1000)).toBeLessThan(60);
    const second = await annotate(app.key, 'Which cup for espresso?', 'A small, thick one.');
    const third = await annotate(app.key, 'What is 100% cacao?', 'Chocolate with no sugar (TEA_FREE).');

    // Newest first, Dify's numbered page: has_more says the page came back full.
    const page1 = await api('GET', '/annotations?page=1&limit=2', app.key);
    expect(page1.status).toBe(200);
    expect(page1.body).toEqual({ data: [third, second], has_more: true, limit: 2, page: 1, total: 3 });
    expect((await api('GET', '/annotations?page=2&limit=2', app.key)).body).toEqual({
      data: [first],
      has_more: false,
      limit: 2,
      page: 2,
      total: 3,
    });
    expect((await api('GET', '/annotations', app.key)).body).toMatchObject({ has_more: false, limit: 20, page: 1, total: 3 });
    expect((await api('GET', '/annotations?page=9', app.key)).body).toEqual({ data: [], has_more: false, limit: 20, page: 9, total: 3 });

    // The keyword is looked for in questions and answers, in any case; LIKE wildcards in it are literal.
    const found = await api('GET', '/annotations?keyword=TEA', app.key);
    expect((found.body['data'] as { id: string }[]).map((a) => a.id)).toEqual([third.id, first.id]);
    expect(found.body['total']).toBe(2);
    expect((await api('GET', `/annotations?keyword=${encodeURIComponent('100%')}`, app.key)).body).toMatchObject({ total: 1 });
    expect((await api('GET', `/annotations?keyword=${encodeURIComponent('%')}`, app.key)).body).toMatchObject({ total: 1 });
    expect((await api('GET', '/annotations?keyword=_', app.key)).body).toMatchObject({ total: 1 });

    const updated = await api('PUT', `/annotations/${second.id}`, app.key, {
      answer: 'A demitasse.',
      question: 'Which cup for an espresso?',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ ...second, answer: 'A demitasse.', question: 'Which cup for an espresso?' });

    const deleted = await api('DELETE', `/annotations/${third.id}`, app.key);
    expect(deleted.status).toBe(204);
    expect((await api('GET', '/annotations', app.key)).body).toMatchObject({ total: 2 });
    expectError(await api('DELETE', `/annotations/${third.id}`, app.key), 404, 'not_found', 'Annotation not found');
    expectError(
      await api('PUT', `/annotations/${third.id}`, app.key, { answer: 'a', question: 'q' }),
      404,
      'not_found',
      'Annotation not found',
    );
    expectError(
      await api('PUT', `/annotations/${randomUUID()}`, app.key, { answer: 'a', question: 'q' }),
      404,
      'not_found',
      'Annotation not found',
    );
    // Dify's route takes only a UUID: anything else is Flask's own 404.
    expectError(await api('PUT', '/annotations/not-a-uuid', app.key, { answer: 'a', question: 'q' }), 404, 'not_found', NOT_FOUND_ROUTE);
    expectError(await api('DELETE', '/annotations/not-a-uuid', app.key), 404, 'not_found', NOT_FOUND_ROUTE);

    // Bad bodies and queries: 400 invalid_param naming the field; nothing is stored.
    expectError(
      await api('POST', '/annotations', app.key, { answer: 'no question' }),
      400,
      'invalid_param',
      'question: question is required',
    );
    expectError(await api('POST', '/annotations', app.key, { question: 'no answer' }), 400, 'invalid_param', 'answer: answer is required');
    expectError(
      await api('POST', '/annotations', app.key, { answer: 'a', question: 42 }),
      400,
      'invalid_param',
      'question: question must be a string',
    );
    expectError(
      await api('POST', '/annotations', app.key, { answer: ['a'], question: 'q' }),
      400,
      'invalid_param',
      'answer: answer must be a string',
    );
    expectError(await api('POST', '/annotations', app.key, { answer: 'a', question: 'x'.repeat(100_001) }), 400, 'invalid_param');
    expectError(
      await api('PUT', `/annotations/${first.id}`, app.key, { answer: 'a' }),
      400,
      'invalid_param',
      'question: question is required',
    );
    const raw = await fetch(`${stack.gateway.baseUrl}/v1/apps/annotations`, {
      body: '{"question": ',
      headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
      method: 'POST',
    });
    expect(raw.status).toBe(400);
    for (const query of ['page=0', 'limit=0', 'limit=abc', 'page=1.5', 'limit=-3']) {
      expectError(await api('GET', `/annotations?${query}`, app.key), 400, 'invalid_param');
    }
    expect((await api('GET', '/annotations', app.key)).body).toMatchObject({ total: 2 });
    expect((await api('GET', '/annotations?keyword=demitasse', app.key)).body).toMatchObject({ data: [{ id: second.id }], total: 1 });

    // No key, or a made-up one: 401 as everywhere.
    expect((await client.call('GET', '/v1/apps/annotations')).status).toBe(401);
    expectError(await api('GET', '/annotations', 'app-not-a-real-key'), 401, 'unauthorized', 'Access token is invalid');
  });

  it('serves chat apps only: workflow and completion apps get not_chat_app on every annotation route', async () => {
    const workflow = await client.deploy(
      token,
      new DslBuilder('wf').node('start', 'start', { variables: [] }).node('end', 'end', { outputs: [] }).chain('start', 'end').toYaml(),
    );
    const completion = await client.deploy(token, classicApp('completion'));
    const chatApp = await client.deploy(token, echoChatflow('for ids'));
    const { id } = await annotate(chatApp.key, 'q', 'a');
    for (const key of [workflow.key, completion.key]) {
      const calls: [string, string, unknown?][] = [
        ['GET', '/annotations'],
        ['POST', '/annotations', { answer: 'a', question: 'q' }],
        ['PUT', `/annotations/${id}`, { answer: 'a', question: 'q' }],
        ['DELETE', `/annotations/${id}`],
        ['POST', '/annotation-reply/enable', { ...EMBEDDING, score_threshold: 0.9 }],
        ['GET', `/annotation-reply/enable/status/${randomUUID()}`],
      ];
      for (const [method, path, body] of calls) {
        expectError(await api(method, path, key, body), 400, 'not_chat_app', 'Please check if your app mode matches the right API route.');
      }
    }
    // The chat app's annotation was not touched through the other apps' keys.
    expect((await api('GET', '/annotations', chatApp.key)).body).toMatchObject({ data: [{ answer: 'a', id, question: 'q' }], total: 1 });
  });

  it('answers a matching chat query with the annotation (blocking and streaming) without running the model, until reply is disabled', async () => {
    const app = await client.deploy(token, llmChatflow('reply'));
    const question = 'What is the capital of France?';
    const paris = await annotate(app.key, question, 'Paris, since 987.');
    await annotate(app.key, 'Who painted the Mona Lisa?', 'Leonardo da Vinci.');

    // Off: /v1/parameters says so, and the workflow (and its model) answers.
    const parameters = async () => (await client.call('GET', '/v1/parameters', { token: app.key })).body['annotation_reply'];
    expect(await parameters()).toEqual({ enabled: false });
    let chats = provider.chats;
    expect((await chat(app.key, question)).body).toMatchObject({ answer: `LLM: ${question}` });
    expect(provider.chats).toBe(chats + 1);

    const enabled = await replyJob(app.key, 'enable');
    expect(enabled).toEqual({ error_msg: '', job_id: expect.any(String), job_status: 'completed' });
    expect(provider.embedded.flat()).toEqual(expect.arrayContaining([question, 'Who painted the Mona Lisa?']));
    // On: /v1/parameters names the model and threshold the job set, in Dify's annotation_reply shape.
    expect(await parameters()).toEqual({
      embedding_model: { embedding_model_name: EMBEDDING.embedding_model_name, embedding_provider_name: EMBEDDING.embedding_provider_name },
      enabled: true,
      score_threshold: 0.9,
    });

    // Blocking: the annotation's answer, Dify's annotation_reply naming it and its author (the workspace's owner).
    chats = provider.chats;
    const blocking = await chat(app.key, 'what is the CAPITAL of france');
    expect(blocking.status).toBe(200);
    expect(blocking.body).toMatchObject({
      answer: 'Paris, since 987.',
      conversation_id: expect.any(String),
      event: 'message',
      metadata: { annotation_reply: { account: { id: expect.any(String), name: AUTHOR }, id: paris.id }, retriever_resources: [] },
      mode: 'advanced-chat',
    });
    expect(blocking.body['message_id']).toBe(blocking.body['id']);
    expect(provider.chats).toBe(chats);

    // The turn is a message of its conversation like any other.
    const conversationId = blocking.body['conversation_id'] as string;
    const history = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=ada`, { token: app.key });
    expect(history.body['data']).toEqual([
      expect.objectContaining({
        answer: 'Paris, since 987.',
        id: blocking.body['id'],
        query: 'what is the CAPITAL of france',
        status: 'normal',
      }),
    ]);

    // Streaming: the answer as a message, then message_end with annotation_reply; no workflow ran, so no workflow events.
    const events = await chatStream(app.key, question);
    expect(events.map((e) => e['event'])).toEqual(['message', 'message_end']);
    expect(events[0]).toMatchObject({ answer: 'Paris, since 987.', conversation_id: expect.any(String), message_id: expect.any(String) });
    expect(events[1]).toMatchObject({
      metadata: { annotation_reply: { account: { name: AUTHOR }, id: paris.id } },
      message_id: events[0]!['message_id'],
    });
    expect(provider.chats).toBe(chats);
    // Each reply counts a hit.
    expect((await api('GET', '/annotations?keyword=capital', app.key)).body['data']).toEqual([{ ...paris, hit_count: 2 }]);

    // A query not close enough (by the threshold) runs the workflow.
    const partial = 'capital of France';
    expect(cosine(partial, question)).toBeLessThan(0.9);
    expect((await chat(app.key, partial)).body).toMatchObject({ answer: `LLM: ${partial}` });
    expect(provider.chats).toBe(chats + 1);

    // A question added or edited while reply is on answers at once.
    await annotate(app.key, 'Is the museum open on Mondays?', 'No, closed on Mondays.');
    expect((await chat(app.key, 'is the museum open on mondays')).body).toMatchObject({ answer: 'No, closed on Mondays.' });
    const edited = await api('PUT', `/annotations/${paris.id}`, app.key, { answer: 'Paris.', question: 'Name the capital city of France' });
    expect(edited.status).toBe(200);
    expect((await chat(app.key, 'name the capital city of france')).body).toMatchObject({
      answer: 'Paris.',
      metadata: { annotation_reply: { id: paris.id } },
    });
    chats = provider.chats;
    expect(cosine(question, 'Name the capital city of France')).toBeLessThan(0.9);
    expect((await chat(app.key, question)).body).toMatchObject({ answer: `LLM: ${question}` });
    expect(provider.chats).toBe(chats + 1);

    // Disabled: the model answers again. Dify asks the same three fields to disable.
    expectError(await api('POST', '/annotation-reply/disable', app.key, {}), 400, 'invalid_param');
    expect(await replyJob(app.key, 'disable')).toMatchObject({ error_msg: '', job_status: 'completed' });
    expect(await parameters()).toEqual({ enabled: false });
    chats = provider.chats;
    expect((await chat(app.key, 'name the capital city of france')).body).toMatchObject({
      answer: 'LLM: name the capital city of france',
    });
    expect(provider.chats).toBe(chats + 1);
  });

  it('answers classic chat apps too, speaking only Dify`s chat events', async () => {
    const app = await client.deploy(token, classicApp('chat'));
    await annotate(app.key, 'opening hours', 'Nine to five.');
    expect(await replyJob(app.key, 'enable')).toMatchObject({ job_status: 'completed' });
    const chats = provider.chats;
    const events = await chatStream(app.key, 'Opening hours?');
    expect(events.map((e) => e['event'])).toEqual(['message', 'message_end']);
    expect(events[0]).toMatchObject({ answer: 'Nine to five.' });
    expect((await chat(app.key, 'opening hours')).body).toMatchObject({ answer: 'Nine to five.', mode: 'chat' });
    expect(provider.chats).toBe(chats);
    const other = 'when do you close on sundays';
    expect(cosine(other, 'opening hours')).toBeLessThan(0.9);
    expect((await chat(app.key, other)).body).toMatchObject({ answer: `LLM: ${other}`, mode: 'chat' });
    expect(provider.chats).toBe(chats + 1);
  });

  it('runs one enable job at a time, reports failures in error_msg, and answers Dify`s errors for bad actions and job ids', async () => {
    const app = await client.deploy(token, echoChatflow('jobs'));
    await annotate(app.key, 'slow question', 'slow answer');
    provider.delayMs = 1500;
    try {
      const first = await api('POST', '/annotation-reply/enable', app.key, { ...EMBEDDING, score_threshold: '0.8' });
      const second = await api('POST', '/annotation-reply/enable', app.key, { ...EMBEDDING, score_threshold: 0.8 });
      expect(first.body).toEqual({ job_id: expect.any(String), job_status: 'waiting' });
      // While one enable job is unfinished, Dify answers it as processing and starts no other.
      expect(second.body).toEqual({ job_id: first.body['job_id'], job_status: 'processing' });
      const jobId = first.body['job_id'] as string;
      // A job's status is asked under its own action only.
      expectError(await api('GET', `/annotation-reply/disable/status/${jobId}`, app.key), 400, 'invalid_param', 'The job does not exist.');
      await pollUntil(
        async () => (await api('GET', `/annotation-reply/enable/status/${jobId}`, app.key)).body['job_status'] === 'completed',
        {
          timeoutMs: 30_000,
          what: 'the slow enable job',
        },
      );
    } finally {
      provider.delayMs = 0;
    }
    expect((await chat(app.key, 'slow question')).body).toMatchObject({ answer: 'slow answer' });

    // A model the workspace has no provider for: the job ends in error, says why, and reply stays as it was.
    const failed = await replyJob(app.key, 'enable', 0.9, { embedding_model_name: 'm', embedding_provider_name: 'anthropic' });
    expect(failed).toMatchObject({ job_status: 'error' });
    expect(failed['error_msg']).toMatch(/anthropic/);
    expect((await chat(app.key, 'slow question')).body).toMatchObject({ answer: 'slow answer' });

    expectError(
      await api('POST', '/annotation-reply/sideways', app.key, { ...EMBEDDING, score_threshold: 0.9 }),
      400,
      'invalid_param',
      'Unsupported annotation reply action',
    );
    expectError(
      await api('GET', `/annotation-reply/enable/status/${randomUUID()}`, app.key),
      400,
      'invalid_param',
      'The job does not exist.',
    );
    expectError(await api('GET', '/annotation-reply/enable/status/not-a-uuid', app.key), 404, 'not_found', NOT_FOUND_ROUTE);
    const bodies: [unknown, string][] = [
      [{ ...EMBEDDING }, 'score_threshold: score_threshold is required'],
      [{ ...EMBEDDING, score_threshold: 'high' }, 'score_threshold: score_threshold must be a number'],
      [{ ...EMBEDDING, score_threshold: true }, 'score_threshold: score_threshold must be a number'],
      [{ embedding_provider_name: 'openai', score_threshold: 0.9 }, 'embedding_model_name: embedding_model_name is required'],
      [
        { ...EMBEDDING, embedding_provider_name: 3, score_threshold: 0.9 },
        'embedding_provider_name: embedding_provider_name must be a string',
      ],
    ];
    for (const [body, message] of bodies)
      expectError(await api('POST', '/annotation-reply/enable', app.key, body), 400, 'invalid_param', message);
  });

  it('keeps annotations to their app and workspace: another app or workspace`s key neither sees nor changes them, nor gets their replies', async () => {
    const app = await client.deploy(token, echoChatflow('owned'));
    const mine = await annotate(app.key, 'secret recipe', 'Only for us.');
    const enabled = await api('POST', '/annotation-reply/enable', app.key, { ...EMBEDDING, score_threshold: 0.9 });
    const jobId = enabled.body['job_id'] as string;
    await pollUntil(
      async () => (await api('GET', `/annotation-reply/enable/status/${jobId}`, app.key)).body['job_status'] === 'completed',
      {
        timeoutMs: 30_000,
        what: 'the enable job',
      },
    );

    const sibling = await client.deploy(token, echoChatflow('sibling'));
    const outsiderToken = await client.register();
    const outsider = await client.deploy(outsiderToken, echoChatflow('outsider'));
    for (const key of [sibling.key, outsider.key]) {
      expect((await api('GET', '/annotations', key)).body).toEqual({ data: [], has_more: false, limit: 20, page: 1, total: 0 });
      expect((await api('GET', '/annotations?keyword=secret', key)).body).toMatchObject({ total: 0 });
      expectError(
        await api('PUT', `/annotations/${mine.id}`, key, { answer: 'stolen', question: 'q' }),
        404,
        'not_found',
        'Annotation not found',
      );
      expectError(await api('DELETE', `/annotations/${mine.id}`, key), 404, 'not_found', 'Annotation not found');
      expectError(await api('GET', `/annotation-reply/enable/status/${jobId}`, key), 400, 'invalid_param', 'The job does not exist.');
      // Their reply is their own: enabling it does not reach this app's questions.
      expect(await replyJob(key, 'enable')).toMatchObject({ job_status: 'completed' });
      expect((await chat(key, 'secret recipe')).body).toMatchObject({ answer: 'You said: secret recipe' });
    }
    // Untouched, and still answering here.
    expect((await api('GET', '/annotations', app.key)).body).toMatchObject({ data: [{ ...mine, hit_count: 0 }], total: 1 });
    expect((await chat(app.key, 'secret recipe')).body).toMatchObject({ answer: 'Only for us.' });
  });
});
