import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import {
  DslBuilder,
  expectEventually,
  pollUntil,
  queryDatabase,
  readSse,
  textInput,
  TestStack,
  WeftClient,
  type ServiceProcess,
} from '@weft/testing';

/** Test servers listen on 127.0.0.2, the one private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';

interface ChatCall {
  messages: { content: string; role: string }[];
  model: string;
}

/**
 * A local OpenAI-compatible chat server speaking the real wire format. It answers
 * `Echo: <last user message>` in streamed words; model `slow` (or `slow-<n>`) streams 100 (or n) words
 * `w0 w1 …`, one every 100 ms (to stop or crash it midway); conversation titles and suggested questions
 * get fixed answers.
 */
async function startUpstream(): Promise<{ calls: ChatCall[]; server: Server; url: string }> {
  const calls: ChatCall[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const request = JSON.parse(body) as ChatCall & { stream?: boolean };
      calls.push({ messages: request.messages, model: request.model });
      const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
      const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      let words: string[];
      if (system.includes('titles for conversations')) words = ['Tea', ' talk'];
      else if (system.includes('three questions')) words = ['["Why tea?","Which tea?","When?"]'];
      else if (request.model.startsWith('slow'))
        words = Array.from({ length: Number(request.model.split('-')[1] ?? 100) }, (_, i) => `w${i} `);
      else words = ['Echo:', ...lastUser.split(' ').map((w) => ` ${w}`)];
      const usage = { completion_tokens: words.length, prompt_tokens: 10, total_tokens: 10 + words.length };
      if (!request.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            choices: [{ finish_reason: 'stop', index: 0, message: { content: words.join(''), role: 'assistant' } }],
            id: 'c1',
            object: 'chat.completion',
            usage,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ choices: [{ delta, finish_reason: finish, index: 0 }], id: 'c1', object: 'chat.completion.chunk' })}\n\n`;
      const next = () => {
        if (res.destroyed) return;
        if (i < words.length) {
          res.write(chunk({ content: words[i++] }, null));
          setTimeout(next, request.model.startsWith('slow') ? 100 : 0);
          return;
        }
        res.write(chunk({}, 'stop'));
        res.write(`data: ${JSON.stringify({ choices: [], id: 'c1', object: 'chat.completion.chunk', usage })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, ALLOWED_HOST, resolve));
  return { calls, server, url: `http://${ALLOWED_HOST}:${(server.address() as { port: number }).port}` };
}

const openai = (name: string) => ({ completion_params: { temperature: 0 }, mode: 'chat', name, provider: 'langgenius/openai/openai' });

/** start → llm (memory window 5) → answer "[#<dialogue count>] <llm text>". */
function memoryChatflow(model: string): string {
  return new DslBuilder(`memory ${model}`, 'advanced-chat')
    .features({ opening_statement: 'Hi there', suggested_questions_after_answer: { enabled: true } })
    .node('start', 'start', { variables: [] })
    .node('llm', 'llm', {
      context: { enabled: false, variable_selector: [] },
      memory: { query_prompt_template: '{{#sys.query#}}', window: { enabled: true, size: 5 } },
      model: openai(model),
      prompt_template: [{ role: 'system', text: 'You are terse.' }],
      vision: { enabled: false },
    })
    .node('answer', 'answer', { answer: '[#{{#sys.dialogue_count#}}] {{#llm.text#}}' })
    .chain('start', 'llm', 'answer')
    .toYaml();
}

/** A chatflow whose assigner counts turns and keeps the queries in conversation variables. */
function counterChatflow(): string {
  return new DslBuilder('counter', 'advanced-chat')
    .conversationVariable('count', 'number', 0)
    .conversationVariable('log', 'array[string]', [])
    .node('start', 'start', { variables: [textInput('topic', { required: false })] })
    .node('assign', 'assigner', {
      items: [
        { input_type: 'constant', operation: '+=', value: 1, variable_selector: ['conversation', 'count'] },
        { input_type: 'variable', operation: 'append', value: ['sys', 'query'], variable_selector: ['conversation', 'log'] },
      ],
      version: '2',
    })
    .node('answer', 'answer', { answer: 'count={{#conversation.count#}} topic={{#start.topic#}}' })
    .chain('start', 'assign', 'answer')
    .toYaml();
}

function classicApp(mode: 'chat' | 'agent-chat' | 'completion', prePrompt: string, tools: Record<string, unknown>[] = []): string {
  return stringify({
    app: { description: 'classic', icon: '🤖', icon_background: '#FFEAD5', mode, name: `classic ${mode}`, use_icon_as_answer_icon: false },
    kind: 'app',
    model_config: {
      agent_mode: { enabled: mode === 'agent-chat', strategy: 'function_call', tools },
      dataset_configs: { datasets: { datasets: [] }, retrieval_model: 'multiple' },
      model: openai('gpt-4o-mini'),
      opening_statement: 'Welcome!',
      pre_prompt: prePrompt,
      prompt_type: 'simple',
      suggested_questions: ['What is tea?'],
      user_input_form: [{ 'text-input': { label: 'Name', max_length: 48, required: true, variable: 'name' } }],
    },
    version: '0.6.0',
  });
}

/** Reads an SSE response event by event, so a test can act in the middle of a stream. */
/** Every event of a finished stream. */
async function collect(res: Response): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  for await (const event of sseEvents(res)) events.push(event);
  return events;
}

async function* sseEvents(res: Response): AsyncGenerator<Record<string, unknown>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let at: number;
    while ((at = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, at).trim();
      buffer = buffer.slice(at + 2);
      if (block.startsWith('data: ')) yield JSON.parse(block.slice(6)) as Record<string, unknown>;
    }
  }
}

describe('chat apps: chatflows, classic chat and completion apps, conversations and messages', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  const chat = (key: string, body: Record<string, unknown>) =>
    client.call('POST', '/v1/chat-messages', { body: { inputs: {}, response_mode: 'blocking', user: 'ada', ...body }, token: key });
  const chatStream = (key: string, body: Record<string, unknown>) =>
    fetch(`${stack.gateway.baseUrl}/v1/chat-messages`, {
      body: JSON.stringify({ inputs: {}, response_mode: 'streaming', user: 'ada', ...body }),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      method: 'POST',
    });

  beforeAll(async () => {
    upstream = await startUpstream();
    stack = await TestStack.create({
      env: {
        NODE_JOB_ACK_WAIT_MS: '3000',
        RUN_LEASE_TTL_MS: '2000',
        PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST,
        SSRF_ALLOWED_HOSTS: ALLOWED_HOST,
      },
    });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: upstream.url, openai_api_key: 'sk-chat-e2e' } },
      token,
    });
    expect(saved.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.destroy();
    upstream?.server.close();
  });

  it('remembers earlier turns: turn 3 is sent turn 1, and the stream orders message, message_end, workflow_finished', async () => {
    const app = await client.deploy(token, memoryChatflow('gpt-4o-mini'));
    const first = await chat(app.key, { query: 'My name is Ada' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ answer: '[#1] Echo: My name is Ada', event: 'message', mode: 'advanced-chat' });
    const conversationId = first.body['conversation_id'] as string;
    expect(first.body['message_id']).toBe(first.body['id']);
    expect((first.body['metadata'] as { usage: Record<string, unknown> }).usage).toMatchObject({
      completion_tokens: 5,
      prompt_tokens: 10,
      total_tokens: 15,
    });

    const second = await chat(app.key, { conversation_id: conversationId, query: 'I like tea' });
    expect(second.body).toMatchObject({ answer: '[#2] Echo: I like tea', conversation_id: conversationId });

    upstream.calls.length = 0;
    const res = await chatStream(app.key, { conversation_id: conversationId, query: 'What is my name?' });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const { events } = await readSse(res);
    const sent = upstream.calls.at(-1)!;
    expect(sent.messages).toEqual([
      { content: 'You are terse.', role: 'system' },
      { content: 'My name is Ada', role: 'user' },
      { content: '[#1] Echo: My name is Ada', role: 'assistant' },
      { content: 'I like tea', role: 'user' },
      { content: '[#2] Echo: I like tea', role: 'assistant' },
      { content: 'What is my name?', role: 'user' },
    ]);
    const kinds = events.map((e) => e['event']);
    expect(kinds[0]).toBe('workflow_started');
    expect(kinds.slice(-2)).toEqual(['message_end', 'workflow_finished']);
    expect(kinds.lastIndexOf('message')).toBeLessThan(kinds.indexOf('message_end'));
    const messages = events.filter((e) => e['event'] === 'message');
    expect(messages.length).toBeGreaterThan(2);
    expect(messages.map((e) => e['answer']).join('')).toBe('[#3] Echo: What is my name?');
    const messageId = events.at(-1)!['message_id'];
    for (const e of events)
      expect(e).toMatchObject({ conversation_id: conversationId, created_at: expect.any(Number), message_id: messageId });
    expect(events.at(-1)).toMatchObject({
      data: { outputs: { answer: '[#3] Echo: What is my name?' }, status: 'succeeded' },
      workflow_run_id: expect.any(String),
    });

    const history = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=ada`, { token: app.key });
    expect(history.status).toBe(200);
    expect((history.body['data'] as { query: string; answer: string }[]).map((m) => m.query)).toEqual([
      'My name is Ada',
      'I like tea',
      'What is my name?',
    ]);
    expect(history.body).toMatchObject({ has_more: false, limit: 20 });
    const lastId = (history.body['data'] as { id: string }[])[2]!.id;
    const older = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=ada&first_id=${lastId}&limit=1`, {
      token: app.key,
    });
    expect(older.body).toMatchObject({ data: [{ answer: '[#2] Echo: I like tea', query: 'I like tea' }], has_more: true, limit: 1 });

    const suggested = await client.call('GET', `/v1/messages/${lastId}/suggested?user=ada`, { token: app.key });
    expect(suggested.body).toEqual({ data: ['Why tea?', 'Which tea?', 'When?'], result: 'success' });
  });

  it('answers with only the taken branch, and with an answer inside an iteration once per round (streamed and blocking)', async () => {
    const llm = {
      model: { completion_params: {}, mode: 'chat', name: 'gpt-4o-mini', provider: 'openai' },
      prompt_template: [{ role: 'user', text: '{{#sys.query#}}' }],
    };
    const branches = new DslBuilder('branches', 'advanced-chat')
      .node('start', 'start', { variables: [] })
      .node('check', 'if-else', {
        cases: [
          {
            case_id: 'true',
            conditions: [{ comparison_operator: 'is', id: 'c1', value: 'yes', variable_selector: ['sys', 'query'] }],
            logical_operator: 'and',
          },
        ],
      })
      .node('literal', 'answer', { answer: 'Literal yes.' })
      .node('llm', 'llm', llm)
      .node('spoken', 'answer', { answer: '{{#llm.text#}}' })
      .edge('start', 'check')
      .edge('check', 'literal', 'true')
      .edge('check', 'llm', 'false')
      .chain('llm', 'spoken')
      .toYaml();
    const branchApp = await client.deploy(token, branches);
    const taken = await chat(branchApp.key, { query: 'no thanks' });
    expect(taken.body).toMatchObject({ answer: 'Echo: no thanks' });
    const streamed = (await collect(await chatStream(branchApp.key, { query: 'no thanks' })))
      .filter((e) => e['event'] === 'message')
      .map((e) => String(e['answer']))
      .join('');
    expect(streamed).toBe('Echo: no thanks');

    const rounds = new DslBuilder('rounds', 'advanced-chat')
      .node('start', 'start', { variables: [] })
      .node('intro', 'answer', { answer: 'Fruit: ' })
      .node('list', 'code', {
        code: "function main() { return { items: ['apple', 'banana'] }; }",
        code_language: 'javascript',
        outputs: { items: { type: 'array[string]' } },
        variables: [],
      })
      .node('it', 'iteration', {
        is_parallel: false,
        iterator_selector: ['list', 'items'],
        output_selector: ['say', 'answer'],
        start_node_id: 'itstart',
      })
      .node('itstart', 'iteration-start', {}, { parentId: 'it' })
      .node('say', 'answer', { answer: '{{#it.item#}} ' }, { parentId: 'it' })
      .node('done', 'answer', { answer: 'done' })
      .chain('start', 'intro', 'list', 'it', 'done')
      .edge('itstart', 'say')
      .toYaml();
    const roundsApp = await client.deploy(token, rounds);
    expect((await chat(roundsApp.key, { query: 'fruit?' })).body).toMatchObject({ answer: 'Fruit: apple banana done' });
    const pieces = (await collect(await chatStream(roundsApp.key, { query: 'fruit?' })))
      .filter((e) => e['event'] === 'message')
      .map((e) => String(e['answer']));
    expect(pieces).toEqual(['Fruit: ', 'apple ', 'banana ', 'done']);
  });

  it("scopes conversations to the user string: another user's conversation id answers 404 everywhere", async () => {
    const app = await client.deploy(token, memoryChatflow('gpt-4o-mini'));
    const mine = await chat(app.key, { query: 'secret plans' });
    const conversationId = mine.body['conversation_id'] as string;
    const messageId = mine.body['message_id'] as string;
    const asBob = { user: 'bob' };
    const continued = await chat(app.key, { conversation_id: conversationId, query: 'hi', user: 'bob' });
    expect(continued.status).toBe(404);
    expect(continued.body).toEqual({ code: 'not_found', message: 'Conversation Not Exists.', status: 404 });
    expect((await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=bob`, { token: app.key })).status).toBe(404);
    expect((await client.call('GET', `/v1/conversations?user=bob`, { token: app.key })).body).toMatchObject({ data: [], has_more: false });
    expect((await client.call('DELETE', `/v1/conversations/${conversationId}`, { body: asBob, token: app.key })).status).toBe(404);
    expect(
      (await client.call('POST', `/v1/conversations/${conversationId}/name`, { body: { ...asBob, name: 'x' }, token: app.key })).status,
    ).toBe(404);
    expect((await client.call('GET', `/v1/conversations/${conversationId}/variables?user=bob`, { token: app.key })).status).toBe(404);
    expect(
      (await client.call('POST', `/v1/messages/${messageId}/feedbacks`, { body: { ...asBob, rating: 'like' }, token: app.key })).status,
    ).toBe(404);
    expect((await client.call('GET', `/v1/messages/${messageId}/suggested?user=bob`, { token: app.key })).status).toBe(404);
    // The same user of another app (another key) does not see it either.
    const other = await client.deploy(token, memoryChatflow('gpt-4o-mini'));
    expect((await chat(other.key, { conversation_id: conversationId, query: 'hi' })).status).toBe(404);
    expect((await chat(app.key, { conversation_id: randomUUID(), query: 'hi' })).status).toBe(404);
    expect((await chat(app.key, { conversation_id: 'not-a-uuid', query: 'hi' })).status).toBe(404);
    // Still intact for its owner.
    const own = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=ada`, { token: app.key });
    expect(own.body['data']).toHaveLength(1);
  });

  it('keeps conversation variables across turns: an assigner updates them and the next turn reads them', async () => {
    const app = await client.deploy(token, counterChatflow());
    const first = await chat(app.key, { inputs: { topic: 'tea' }, query: 'one' });
    expect(first.body['answer']).toBe('count=1 topic=tea');
    const conversationId = first.body['conversation_id'] as string;
    // Inputs are fixed at the first turn: a later turn's inputs are ignored.
    const second = await chat(app.key, { conversation_id: conversationId, inputs: { topic: 'coffee' }, query: 'two' });
    expect(second.body['answer']).toBe('count=2 topic=tea');

    const vars = await client.call('GET', `/v1/conversations/${conversationId}/variables?user=ada`, { token: app.key });
    expect(vars.status).toBe(200);
    const data = vars.body['data'] as { id: string; name: string; value: unknown; value_type: string }[];
    expect(data.map((v) => [v.name, v.value, v.value_type])).toEqual([
      ['count', 2, 'number'],
      ['log', ['one', 'two'], 'array[string]'],
    ]);
    const countId = data[0]!.id;
    const wrong = await client.call('PUT', `/v1/conversations/${conversationId}/variables/${countId}`, {
      body: { user: 'ada', value: 'ten' },
      token: app.key,
    });
    expect(wrong.status).toBe(400);
    const set = await client.call('PUT', `/v1/conversations/${conversationId}/variables/${countId}`, {
      body: { user: 'ada', value: 10 },
      token: app.key,
    });
    expect(set.body).toMatchObject({ id: countId, name: 'count', value: 10 });
    const third = await chat(app.key, { conversation_id: conversationId, query: 'three' });
    expect(third.body['answer']).toBe('count=11 topic=tea');
    const filtered = await client.call('GET', `/v1/conversations/${conversationId}/variables?user=ada&variable_name=log`, {
      token: app.key,
    });
    expect(filtered.body['data']).toEqual([expect.objectContaining({ name: 'log', value: ['one', 'two', 'three'] })]);
    // A new conversation starts from the declared values.
    const fresh = await chat(app.key, { inputs: { topic: 'x' }, query: 'new' });
    expect(fresh.body['answer']).toBe('count=1 topic=x');
  });

  it('stops a streamed answer in the middle: the stream ends with message_end and a stopped run, the partial answer is kept', async () => {
    const app = await client.deploy(token, memoryChatflow('slow'));
    const res = await chatStream(app.key, { query: 'talk slowly' });
    const events: Record<string, unknown>[] = [];
    let stopped = false;
    for await (const event of sseEvents(res)) {
      events.push(event);
      if (event['event'] === 'message' && !stopped && event['answer'] === 'w1 ') {
        stopped = true;
        const other = await client.call('POST', `/v1/chat-messages/${String(event['task_id'])}/stop`, {
          body: { user: 'mallory' },
          token: app.key,
        });
        expect(other.body).toEqual({ result: 'success' });
        const stop = await client.call('POST', `/v1/chat-messages/${String(event['task_id'])}/stop`, {
          body: { user: 'ada' },
          token: app.key,
        });
        expect(stop.body).toEqual({ result: 'success' });
      }
    }
    expect(stopped).toBe(true);
    const kinds = events.map((e) => e['event']);
    expect(kinds.slice(-2)).toEqual(['message_end', 'workflow_finished']);
    expect(events.at(-1)).toMatchObject({ data: { status: 'stopped' } });
    const said = events
      .filter((e) => e['event'] === 'message')
      .map((e) => e['answer'])
      .join('');
    expect(said).toMatch(/^\[#1\] w0 w1 /);
    expect(said.length).toBeLessThan('[#1] '.length + 100 * 3);
    const conversationId = String(events[0]!['conversation_id']);
    await expectEventually(async () => {
      const history = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=ada`, { token: app.key });
      expect((history.body['data'] as { answer: string }[])[0]!.answer).toBe(said);
    });
  });

  it('lists, renames (by hand and generated), rates and deletes conversations', async () => {
    const app = await client.deploy(token, memoryChatflow('gpt-4o-mini'));
    const ids: string[] = [];
    for (const q of ['first', 'second', 'third'])
      ids.push((await chat(app.key, { query: q, user: 'lister' })).body['conversation_id'] as string);
    const page1 = await client.call('GET', '/v1/conversations?user=lister&limit=2', { token: app.key });
    expect(page1.status).toBe(200);
    expect((page1.body['data'] as { id: string }[]).map((c) => c.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body['has_more']).toBe(true);
    const page2 = await client.call('GET', `/v1/conversations?user=lister&limit=2&last_id=${ids[1]}`, { token: app.key });
    expect((page2.body['data'] as { id: string }[]).map((c) => c.id)).toEqual([ids[0]]);
    expect(page2.body['has_more']).toBe(false);
    const oldest = await client.call('GET', '/v1/conversations?user=lister&sort_by=created_at', { token: app.key });
    expect((oldest.body['data'] as { id: string }[]).map((c) => c.id)).toEqual(ids);
    expect((await client.call('GET', `/v1/conversations?user=lister&last_id=${randomUUID()}`, { token: app.key })).body).toMatchObject({
      message: 'Last Conversation Not Exists.',
      status: 404,
    });
    expect((await client.call('GET', '/v1/conversations?user=lister&sort_by=name', { token: app.key })).status).toBe(400);

    // The first turn's auto_generate_name titles the conversation in the background.
    await expectEventually(async () => {
      const list = await client.call('GET', '/v1/conversations?user=lister&limit=1', { token: app.key });
      expect((list.body['data'] as { name: string }[])[0]!.name).toBe('Tea talk');
    });
    const renamed = await client.call('POST', `/v1/conversations/${ids[0]}/name`, {
      body: { name: 'My first', user: 'lister' },
      token: app.key,
    });
    expect(renamed.body).toMatchObject({ id: ids[0], name: 'My first' });
    const generated = await client.call('POST', `/v1/conversations/${ids[0]}/name`, {
      body: { auto_generate: true, user: 'lister' },
      token: app.key,
    });
    expect(generated.body).toMatchObject({ id: ids[0], name: 'Tea talk' });
    expect((await client.call('POST', `/v1/conversations/${ids[0]}/name`, { body: { user: 'lister' }, token: app.key })).status).toBe(400);

    const messages = await client.call('GET', `/v1/messages?conversation_id=${ids[0]}&user=lister`, { token: app.key });
    const messageId = (messages.body['data'] as { id: string }[])[0]!.id;
    expect(
      (await client.call('POST', `/v1/messages/${messageId}/feedbacks`, { body: { rating: 'like', user: 'lister' }, token: app.key })).body,
    ).toEqual({ result: 'success' });
    const rated = await client.call('GET', `/v1/messages?conversation_id=${ids[0]}&user=lister`, { token: app.key });
    expect((rated.body['data'] as { feedback: unknown }[])[0]!.feedback).toEqual({ rating: 'like' });
    expect(
      (await client.call('POST', `/v1/messages/${messageId}/feedbacks`, { body: { rating: 'meh', user: 'lister' }, token: app.key }))
        .status,
    ).toBe(400);
    await client.call('POST', `/v1/messages/${messageId}/feedbacks`, { body: { rating: null, user: 'lister' }, token: app.key });
    const unrated = await client.call('GET', `/v1/messages?conversation_id=${ids[0]}&user=lister`, { token: app.key });
    expect((unrated.body['data'] as { feedback: unknown }[])[0]!.feedback).toBeNull();

    const deleted = await client.call('DELETE', `/v1/conversations/${ids[0]}`, { body: { user: 'lister' }, token: app.key });
    expect(deleted.status).toBe(204);
    expect((await client.call('GET', `/v1/messages?conversation_id=${ids[0]}&user=lister`, { token: app.key })).status).toBe(404);
    const [left] = await queryDatabase<{ n: string }>(
      stack.database.url,
      'SELECT count(*) AS n FROM orchestrator.messages WHERE conversation_id = $1',
      [ids[0]],
    );
    expect(Number(left!.n)).toBe(0);
  });

  it('runs a classic chat app imported from DSL: inputs in the prompt, memory, only chat events, exported back as model_config', async () => {
    const imported = await client.importApp(token, classicApp('chat', 'You help {{name}}.'));
    expect(imported.body).toMatchObject({ app_mode: 'chat', status: 'completed' });
    const app = await client.deploy(token, classicApp('chat', 'You help {{name}}.'));
    const params = await client.call('GET', '/v1/parameters', { token: app.key });
    expect(params.body).toMatchObject({
      opening_statement: 'Welcome!',
      suggested_questions: ['What is tea?'],
      user_input_form: [{ 'text-input': { required: true, variable: 'name' } }],
    });
    const missing = await chat(app.key, { query: 'hello' });
    expect(missing.status).toBe(400);
    expect(missing.body['code']).toBe('invalid_param');

    upstream.calls.length = 0;
    // The new conversation's title is a model call of its own, made once the turn is answered.
    const appCalls = () => upstream.calls.filter((c) => !String(c.messages[0]?.content).startsWith('You write titles'));
    const first = await chat(app.key, { inputs: { name: 'Ada' }, query: 'hello there' });
    expect(first.body).toMatchObject({ answer: 'Echo: hello there', event: 'message', mode: 'chat' });
    expect(appCalls().at(-1)!.messages[0]).toEqual({ content: 'You help Ada.', role: 'system' });
    const res = await chatStream(app.key, { conversation_id: first.body['conversation_id'], query: 'again' });
    const { events } = await readSse(res);
    expect([...new Set(events.map((e) => e['event']))]).toEqual(['message', 'message_end']);
    expect(
      appCalls()
        .at(-1)!
        .messages.map((m) => m.content),
    ).toEqual(['You help Ada.', 'hello there', 'Echo: hello there', 'again']);

    const exported = await client.call('GET', `/console/api/apps/${app.appId}/export`, { token });
    const yaml = String(exported.body['data'] ?? exported.body['raw'] ?? '');
    expect(yaml).toContain('mode: chat');
    expect(yaml).toContain('pre_prompt: You help {{name}}.');
    expect(yaml).not.toContain('workflow:');
    expect(
      (await client.call('POST', '/v1/completion-messages', { body: { inputs: {}, user: 'ada' }, token: app.key })).body,
    ).toMatchObject({ code: 'not_completion_app', status: 400 });
  });

  it('runs an agent-chat app streaming-only, with agent_message and agent_thought events', async () => {
    const yaml = classicApp('agent-chat', 'You are an agent.', [
      { enabled: true, provider_id: 'maths', provider_type: 'builtin', tool_name: 'eval_expression', tool_parameters: {} },
    ]);
    const imported = await client.importApp(token, yaml);
    expect(imported.body).toMatchObject({ app_mode: 'agent-chat' });
    expect(JSON.stringify(imported.body)).not.toContain('agent tool');
    const app = await client.deploy(token, yaml);
    expect((await chat(app.key, { inputs: { name: 'Ada' }, query: 'hi' })).body).toMatchObject({
      code: 'invalid_param',
      message: 'Agent Chat App does not support blocking mode',
    });
    const { events } = await readSse(await chatStream(app.key, { inputs: { name: 'Ada' }, query: 'find tea' }));
    expect(
      events
        .filter((e) => e['event'] === 'agent_message')
        .map((e) => e['answer'])
        .join(''),
    ).toBe('Echo: find tea');
    expect(events.map((e) => e['event']).slice(-2)).toEqual(['agent_thought', 'message_end']);
    expect(events.at(-2)).toMatchObject({ position: 1, thought: 'Echo: find tea', tool: '' });
    expect(events.some((e) => e['event'] === 'message' || String(e['event']).startsWith('workflow'))).toBe(false);
  });

  it('stops an agent-chat app mid-agent: the stream ends with message_end, the message keeps the thought it streamed', async () => {
    const yaml = classicApp('agent-chat', 'You are an agent.', [
      { enabled: true, provider_id: 'maths', provider_type: 'builtin', tool_name: 'eval_expression', tool_parameters: {} },
    ]).replace('name: gpt-4o-mini', 'name: slow-100');
    expect(yaml).toContain('slow-100');
    const app = await client.deploy(token, yaml);
    const res = await chatStream(app.key, { inputs: { name: 'Ada' }, query: 'think slowly' });
    const events: Record<string, unknown>[] = [];
    let stopped = false;
    for await (const event of sseEvents(res)) {
      events.push(event);
      if (event['event'] === 'agent_message' && !stopped && event['answer'] === 'w1 ') {
        stopped = true;
        const stop = await client.call('POST', `/v1/chat-messages/${String(event['task_id'])}/stop`, {
          body: { user: 'ada' },
          token: app.key,
        });
        expect(stop.body).toEqual({ result: 'success' });
      }
    }
    expect(stopped).toBe(true);
    const kinds = events.map((e) => e['event']);
    expect(kinds.at(-1)).toBe('message_end');
    // The thought was announced before its text, live.
    expect(kinds.indexOf('agent_thought')).toBeLessThan(kinds.indexOf('agent_message'));
    const thoughtIds = new Set(events.filter((e) => e['event'] === 'agent_thought').map((e) => e['id']));
    expect(thoughtIds.size).toBe(1);
    const conversationId = String(events[0]!['conversation_id']);
    await expectEventually(async () => {
      const history = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=ada`, { token: app.key });
      const [message] = history.body['data'] as { agent_thoughts: Record<string, unknown>[]; answer: string }[];
      expect(message!.answer).toMatch(/^w0 w1 /);
      expect(message!.agent_thoughts).toEqual([expect.objectContaining({ id: [...thoughtIds][0], position: 1, tool: '' })]);
    });
  });

  it('runs a completion app: blocking and streaming answers without conversations, and refuses the wrong routes', async () => {
    const app = await client.deploy(token, classicApp('completion', 'Write a haiku for {{name}}'));
    const blocking = await client.call('POST', '/v1/completion-messages', {
      body: { inputs: { name: 'Ada' }, response_mode: 'blocking', user: 'poet' },
      token: app.key,
    });
    expect(blocking.status).toBe(200);
    expect(blocking.body).toMatchObject({ answer: 'Echo: Write a haiku for Ada', event: 'message', mode: 'completion' });
    expect(blocking.body['conversation_id']).toBeUndefined();
    const res = await fetch(`${stack.gateway.baseUrl}/v1/completion-messages`, {
      body: JSON.stringify({ inputs: { name: 'Bo' }, response_mode: 'streaming', user: 'poet' }),
      headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
      method: 'POST',
    });
    const { events } = await readSse(res);
    expect(events.at(-1)).toMatchObject({ event: 'message_end', metadata: { usage: { total_tokens: expect.any(Number) } } });
    expect(
      events
        .filter((e) => e['event'] === 'message')
        .map((e) => e['answer'])
        .join(''),
    ).toBe('Echo: Write a haiku for Bo');
    for (const e of events) expect(e['conversation_id']).toBeUndefined();
    expect((await chat(app.key, { query: 'hi' })).body).toMatchObject({ code: 'not_chat_app', status: 400 });
    expect((await client.call('GET', '/v1/conversations?user=poet', { token: app.key })).body['code']).toBe('not_chat_app');
    expect(
      (await client.call('POST', `/v1/completion-messages/${randomUUID()}/stop`, { body: { user: 'poet' }, token: app.key })).body,
    ).toEqual({ result: 'success' });
  });

  it('answers bad chat requests with clear 4xx errors', async () => {
    const app = await client.deploy(token, memoryChatflow('gpt-4o-mini'));
    const workflowApp = await client.deploy(
      token,
      new DslBuilder('wf').node('start', 'start', { variables: [] }).node('end', 'end', { outputs: [] }).chain('start', 'end').toYaml(),
    );
    expect((await chat(workflowApp.key, { query: 'x' })).body).toMatchObject({ code: 'not_chat_app', status: 400 });
    expect((await client.call('POST', '/v1/chat-messages', { body: { inputs: {}, query: 'x' }, token: app.key })).body).toMatchObject({
      code: 'invalid_param',
      status: 400,
    });
    expect((await chat(app.key, { query: 42 })).status).toBe(400);
    expect((await chat(app.key, { inputs: 'nope', query: 'x' })).status).toBe(400);
    expect((await chat(app.key, { query: 'x', response_mode: 'sometimes' })).status).toBe(400);
    const raw = await fetch(`${stack.gateway.baseUrl}/v1/chat-messages`, {
      body: '{"query": ',
      headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
      method: 'POST',
    });
    expect(raw.status).toBe(400);
    expect((await client.call('POST', '/v1/chat-messages', { body: { query: 'x', user: 'u' }, token: 'app-forged' })).status).toBe(401);
    expect((await client.call('GET', `/v1/messages?user=ada`, { token: app.key })).status).toBe(400);
    const first = await chat(app.key, { query: 'hello' });
    expect(
      (await client.call('GET', `/v1/messages/${String(first.body['message_id'])}/suggested?user=ada`, { token: app.key })).status,
    ).toBe(200);
    const plain = await client.deploy(token, counterChatflow());
    const turn = await chat(plain.key, { query: 'x' });
    expect(
      (await client.call('GET', `/v1/messages/${String(turn.body['message_id'])}/suggested?user=ada`, { token: plain.key })).body,
    ).toMatchObject({ message: 'Suggested Questions Is Disabled.', status: 400 });
  });

  it('pages a conversation of 10,000 messages by keyset on its index', async () => {
    const app = await client.deploy(token, memoryChatflow('gpt-4o-mini'));
    const first = await chat(app.key, { query: 'seed', user: 'long' });
    const conversationId = first.body['conversation_id'] as string;
    await queryDatabase(
      stack.database.url,
      `INSERT INTO orchestrator.messages (id, workspace_id, app_id, conversation_id, end_user_id, task_id, inputs, query, answer, status, created_at)
       SELECT gen_random_uuid(), m.workspace_id, m.app_id, m.conversation_id, m.end_user_id, gen_random_uuid(), '{}', 'q' || g, 'a' || g, 'normal', m.created_at + g * interval '1 millisecond'
       FROM orchestrator.messages m, generate_series(1, 9999) g WHERE m.conversation_id = $1`,
      [conversationId],
    );
    await queryDatabase(stack.database.url, 'ANALYZE orchestrator.messages');
    const latest = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=long&limit=3`, { token: app.key });
    expect((latest.body['data'] as { query: string }[]).map((m) => m.query)).toEqual(['q9997', 'q9998', 'q9999']);
    const before = (latest.body['data'] as { id: string }[])[0]!.id;
    const older = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=long&limit=2&first_id=${before}`, {
      token: app.key,
    });
    expect((older.body['data'] as { query: string }[]).map((m) => m.query)).toEqual(['q9995', 'q9996']);
    const plan = await queryDatabase<{ 'QUERY PLAN': string }>(
      stack.database.url,
      `EXPLAIN SELECT * FROM orchestrator.messages m WHERE m.conversation_id = $1 AND m.workspace_id = (SELECT workspace_id FROM gateway.apps LIMIT 1)
       AND (m.created_at, m.id) < (now(), gen_random_uuid()) ORDER BY m.created_at DESC, m.id DESC LIMIT 21`,
      [conversationId],
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('messages_conversation_created_idx');
  });
  // Last: it kills the stack's own orchestrator and a gateway replica.
  it('finishes a turn whose orchestrator died mid-answer, and completes the message of a turn whose gateway died', async () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `).join('');
    const orchestrator2 = await stack.replica('orchestrator');
    const gateway2 = await stack.replica('gateway');
    orchestrator2.start();
    gateway2.start();
    await Promise.all([orchestrator2.waitReady(), gateway2.waitReady()]);
    const app = await client.deploy(token, memoryChatflow('slow-15'));
    const runOf = (query: string) =>
      pollUntil(
        async () =>
          (
            await queryDatabase<{ workflow_run_id: string }>(
              stack.database.url,
              'SELECT workflow_run_id FROM orchestrator.messages WHERE query = $1',
              [query],
            )
          )[0]?.workflow_run_id,
      );
    const ownerOf = async (runId: string, candidates: ServiceProcess[]) => {
      const owner = await pollUntil(
        async () =>
          (
            await queryDatabase<{ lease_owner: string | null }>(
              stack.database.url,
              'SELECT lease_owner FROM orchestrator.workflow_runs WHERE id = $1',
              [runId],
            )
          )[0]?.lease_owner,
      );
      return candidates.find((p) => owner!.endsWith(`-${p.pid}`))!;
    };

    const blocking = chat(app.key, { query: 'survive the crash', user: 'crash' });
    const runId = await runOf('survive the crash');
    const owner = await ownerOf(runId, [stack.processes.orchestrator, orchestrator2]);
    await pollUntil(() => upstream.calls.some((c) => c.model === 'slow-15'));
    await owner.stop('SIGKILL');
    const answered = await blocking;
    expect(answered.status).toBe(200);
    // The resumed run said the answer again from the start; message_replace kept it whole and single.
    expect(answered.body['answer']).toBe(`[#1] ${words(15)}`);
    const conversationId = answered.body['conversation_id'] as string;

    const survivor = owner === orchestrator2 ? stack.processes.orchestrator : orchestrator2;
    expect(survivor.isRunning()).toBe(true);
    const viaSecond = new WeftClient(gateway2.baseUrl);
    void viaSecond
      .call('POST', '/v1/chat-messages', {
        body: { conversation_id: conversationId, inputs: {}, query: 'gateway goes away', response_mode: 'blocking', user: 'crash' },
        token: app.key,
      })
      .catch(() => undefined);
    await runOf('gateway goes away');
    await gateway2.stop('SIGKILL');
    await expectEventually(
      async () => {
        const history = await client.call('GET', `/v1/messages?conversation_id=${conversationId}&user=crash`, { token: app.key });
        expect((history.body['data'] as { answer: string; query: string }[]).map((m) => [m.query, m.answer])).toEqual([
          ['survive the crash', `[#1] ${words(15)}`],
          ['gateway goes away', `[#2] ${words(15)}`],
        ]);
      },
      { timeoutMs: 30_000 },
    );
  });
});
