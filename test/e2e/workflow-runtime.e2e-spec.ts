import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  DslBuilder,
  endData,
  expectEventually,
  pollUntil,
  queryDatabase,
  readSse,
  templateData,
  textInput,
  TestStack,
  WeftClient,
  type ServiceProcess,
} from '@weft/testing';

/** Test servers listen on 127.0.0.2, the one private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';

interface FakeUpstream {
  calls: { path: string; body: string }[];
  server: Server;
  url: string;
}

/** A local OpenAI-compatible chat server (streamed and plain) plus a slow endpoint, speaking the real wire format. */
async function startUpstream(): Promise<FakeUpstream> {
  const calls: { path: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ body, path: req.url ?? '' });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/slow') {
        // `hold=first`: the first call to this exact URL never answers (its caller is about to be killed), later ones do.
        if (url.searchParams.get('hold') === 'first' && calls.filter((c) => c.path === req.url).length === 1) return;
        const timer = setTimeout(() => res.end(`slept ${url.searchParams.get('ms')}`), Number(url.searchParams.get('ms') ?? 1000));
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (url.pathname === '/v1/chat/completions') {
        const request = JSON.parse(body) as { stream?: boolean; messages: { content: string }[] };
        const words = ['Weft', ' runs', ' Dify', ' apps.'];
        const usage = { completion_tokens: 4, prompt_tokens: 12, total_tokens: 16 };
        if (request.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const w of words)
            res.write(
              `data: ${JSON.stringify({ choices: [{ delta: { content: w }, finish_reason: null, index: 0 }], id: 'c1', object: 'chat.completion.chunk' })}\n\n`,
            );
          res.write(
            `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop', index: 0 }], id: 'c1', object: 'chat.completion.chunk' })}\n\n`,
          );
          res.write(`data: ${JSON.stringify({ choices: [], id: 'c1', object: 'chat.completion.chunk', usage })}\n\n`);
          res.end('data: [DONE]\n\n');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              choices: [{ finish_reason: 'stop', index: 0, message: { content: words.join(''), role: 'assistant' } }],
              id: 'c1',
              object: 'chat.completion',
              usage,
            }),
          );
        }
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, ALLOWED_HOST, resolve));
  const address = server.address() as { port: number };
  return { calls, server, url: `http://${ALLOWED_HOST}:${address.port}` };
}

function llmApp(provider: string, model: string): string {
  return new DslBuilder(`llm ${provider}`)
    .node('start', 'start', { variables: [textInput('question')] })
    .node('llm', 'llm', {
      context: { enabled: false, variable_selector: [] },
      model: { completion_params: { temperature: 0 }, mode: 'chat', name: model, provider },
      prompt_template: [
        { role: 'system', text: 'Be brief.' },
        { role: 'user', text: '{{#start.question#}}' },
      ],
      vision: { enabled: false },
    })
    .node('end', 'end', endData({ answer: ['llm', 'text'] }))
    .chain('start', 'llm', 'end')
    .toYaml();
}

function codeApp(language: 'javascript' | 'python3', code: string): string {
  return new DslBuilder(`code ${language}`)
    .node('start', 'start', { variables: [textInput('x')] })
    .node('code', 'code', {
      code,
      code_language: language,
      outputs: { result: { children: null, type: 'string' } },
      variables: [{ value_selector: ['start', 'x'], variable: 'x' }],
    })
    .node('end', 'end', endData({ result: ['code', 'result'] }))
    .chain('start', 'code', 'end')
    .toYaml();
}

function httpApp(url: string): string {
  return new DslBuilder('http')
    .node('start', 'start', { variables: [] })
    .node('http', 'http-request', {
      authorization: { config: null, type: 'no-auth' },
      body: { data: [], type: 'none' },
      headers: '',
      method: 'get',
      params: '',
      timeout: { connect: 5, read: 30, write: 5 },
      url,
    })
    .node('end', 'end', endData({ body: ['http', 'body'], status: ['http', 'status_code'] }))
    .chain('start', 'http', 'end')
    .toYaml();
}

const runData = (res: { body: Record<string, unknown> }) => res.body['data'] as Record<string, unknown>;

describe('workflow nodes in the node runner, stops, disconnects and crashes', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    stack = await TestStack.create({
      env: {
        // Long enough for QuickJS to fill CODE_MAX_MEMORY_MB (about a second here), so the allocation test
        // ends on the memory limit and the endless loops on this one.
        CODE_EXECUTION_TIMEOUT_MS: '4000',
        CODE_MAX_MEMORY_MB: '32',
        NODE_JOB_ACK_WAIT_MS: '3000',
        RUN_LEASE_TTL_MS: '2000',
        PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST,
        SSRF_ALLOWED_HOSTS: ALLOWED_HOST,
      },
    });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
  });

  afterAll(async () => {
    await stack?.destroy();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  it('runs the demo app that npm start seeds, with the built-in weft-mock model', async () => {
    const app = await client.deploy(token, readFileSync(join(__dirname, '../../scripts/demo/demo-app.yml'), 'utf8'));
    const res = await client.run(app.key, { question: 'What is Weft?' });
    expect(runData(res)).toMatchObject({ status: 'succeeded' });
    expect(String((runData(res)['outputs'] as Record<string, unknown>)['answer'])).toContain('What is Weft?');
  });

  it('calls an OpenAI-compatible server with the workspace credentials and streams its tokens as text_chunk', async () => {
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: upstream.url, openai_api_key: 'sk-e2e-secret' } },
      token,
    });
    expect(saved.status).toBe(200);
    const app = await client.deploy(token, llmApp('langgenius/openai/openai', 'gpt-4o-mini'));
    const streamed = await client.stream(app.key, { question: 'What does Weft do?' });
    const chunks = streamed.events.filter((e) => e['event'] === 'text_chunk').map((e) => (e['data'] as { text: string }).text);
    expect(chunks).toEqual(['Weft', ' runs', ' Dify', ' apps.']);
    const finished = streamed.events.at(-1)!;
    expect(finished).toMatchObject({
      data: { outputs: { answer: 'Weft runs Dify apps.' }, status: 'succeeded', total_tokens: 16 },
      event: 'workflow_finished',
    });
    const llmFinished = streamed.events.find(
      (e) => e['event'] === 'node_finished' && (e['data'] as { node_type: string }).node_type === 'llm',
    )!;
    expect((llmFinished['data'] as { outputs: { usage: Record<string, unknown> } }).outputs.usage).toMatchObject({
      completion_tokens: 4,
      currency: 'USD',
      prompt_tokens: 12,
      total_tokens: 16,
    });
    const sent = upstream.calls.find((c) => c.path === '/v1/chat/completions');
    expect(JSON.parse(sent!.body)).toMatchObject({
      messages: [
        { content: 'Be brief.', role: 'system' },
        { content: 'What does Weft do?', role: 'user' },
      ],
      model: 'gpt-4o-mini',
    });
    const metrics = await (await fetch(`${stack.processes['node-runner'].baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/dify_api_cost_total\{[^}]*provider="openai"[^}]*\} [0-9.e-]+/);
  });

  it('streams end outputs in their order: LLM text of a later output waits until the outputs before it are resolved', async () => {
    const yaml = new DslBuilder('ordered')
      .node('start', 'start', { variables: [textInput('question')] })
      .node('slow', 'http-request', {
        authorization: { config: null, type: 'no-auth' },
        body: { data: [], type: 'none' },
        headers: '',
        method: 'get',
        params: '',
        timeout: { connect: 5, read: 10, write: 5 },
        url: `${upstream.url}/slow?ms=300`,
      })
      .node('llm', 'llm', {
        context: { enabled: false, variable_selector: [] },
        model: { completion_params: {}, mode: 'chat', name: 'gpt-4o-mini', provider: 'openai' },
        prompt_template: [{ role: 'user', text: '{{#start.question#}}' }],
        vision: { enabled: false },
      })
      .node('end', 'end', endData({ first: ['slow', 'body'], second: ['llm', 'text'] }))
      .edge('start', 'slow')
      .edge('start', 'llm')
      .edge('slow', 'end')
      .edge('llm', 'end')
      .toYaml();
    const app = await client.deploy(token, yaml);
    const streamed = await client.stream(app.key, { question: 'order?' });
    const names = streamed.events.map((e) => `${String(e['event'])}:${String((e['data'] as { node_id?: string }).node_id ?? '')}`);
    const slowDone = names.indexOf('node_finished:slow');
    const chunks = names.map((n, i) => (n.startsWith('text_chunk') ? i : -1)).filter((i) => i >= 0);
    expect(chunks).toHaveLength(4);
    // The model answered long before the slow call returned; its text was held until then.
    expect(names.indexOf('node_finished:llm')).toBeLessThan(slowDone);
    expect(Math.min(...chunks)).toBeGreaterThan(slowDone);
    expect(
      streamed.events
        .filter((e) => e['event'] === 'text_chunk')
        .map((e) => (e['data'] as { text: string }).text)
        .join(''),
    ).toBe('Weft runs Dify apps.');
  });

  it('fails an llm node whose provider has no credentials in the workspace', async () => {
    const app = await client.deploy(token, llmApp('langgenius/anthropic/anthropic', 'claude-3-5-haiku-latest'));
    const res = await client.run(app.key, { question: 'hi' });
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toMatch(/anthropic/i);
  });

  it.each([
    ['javascript', 'function main({x}) { return { result: x.toUpperCase() + "!" }; }'],
    ['python3', 'def main(x: str) -> dict:\n    return {"result": x.upper() + "!"}\n'],
  ] as const)('runs %s code nodes in the sandbox', async (language, code) => {
    const app = await client.deploy(token, codeApp(language, code));
    const res = await client.run(app.key, { x: 'hello' });
    expect(runData(res)).toMatchObject({ outputs: { result: 'HELLO!' }, status: 'succeeded' });
  });

  it.each([
    ['javascript', 'a loop that never ends', 'function main({x}) { while (true) {} }', /4000 ms limit/],
    ['python3', 'a loop that never ends', 'def main(x: str) -> dict:\n    while True:\n        pass\n', /4000 ms limit/],
    [
      'javascript',
      'allocation without bound',
      'function main({x}) { const a = []; while (true) a.push({ a: 1, b: [1, 2, 3] }); }',
      /memory/i,
    ],
    [
      'python3',
      'allocation without bound',
      'def main(x: str) -> dict:\n    a = []\n    while True:\n        a.append("x" * 100000)\n',
      /memory/i,
    ],
  ] as const)('fails a %s code node with %s, and the next run works', async (language, _what, code, message) => {
    const bad = await client.deploy(token, codeApp(language, code));
    const res = await client.run(bad.key, { x: 'x' });
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toMatch(message);
    const good = await client.deploy(
      token,
      codeApp(
        language,
        language === 'javascript'
          ? 'function main({x}) { return { result: x }; }'
          : 'def main(x: str) -> dict:\n    return {"result": x}\n',
      ),
    );
    expect(runData(await client.run(good.key, { x: 'still fine' }))).toMatchObject({
      outputs: { result: 'still fine' },
      status: 'succeeded',
    });
  });

  it.each([
    ['the loopback address', () => `${stack.gateway.baseUrl}/health`, /127\.0\.0\.1.*not allowed/],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254.*not allowed/],
  ])('refuses an http-request node aimed at %s', async (_what, url, message) => {
    const app = await client.deploy(token, httpApp(url()));
    const res = await client.run(app.key, {});
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toMatch(message);
  });

  it('reaches an allow-listed private host', async () => {
    const app = await client.deploy(token, httpApp(`${upstream.url}/slow?ms=1`));
    const res = await client.run(app.key, {});
    expect(runData(res)).toMatchObject({ outputs: { body: 'slept 1', status: 200 }, status: 'succeeded' });
  });

  it('stops a running run within a second, wherever its node executes', async () => {
    const app = await client.deploy(token, httpApp(`${upstream.url}/slow?ms=20000`));
    const res = await fetch(`${stack.gateway.baseUrl}/v1/workflows/run`, {
      body: JSON.stringify({ inputs: {}, response_mode: 'streaming', user: 'stopper' }),
      headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
      method: 'POST',
    });
    const reader = res.body!.getReader();
    let text = '';
    let taskId = '';
    while (!text.includes('"node_type":"http-request"')) {
      const { value } = await reader.read();
      text += Buffer.from(value!).toString();
      taskId ||= /"task_id":"([0-9a-f-]{36})"/.exec(text)?.[1] ?? '';
    }
    const stopAt = Date.now();
    const stop = await client.call('POST', `/v1/workflows/tasks/${taskId}/stop`, { body: { user: 'stopper' }, token: app.key });
    expect(stop.body).toEqual({ result: 'success' });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    const stoppedAfter = Date.now() - stopAt;
    expect(stoppedAfter).toBeLessThan(1000);
    const finished = text
      .split('\n\n')
      .filter((b) => b.startsWith('data: '))
      .map((b) => JSON.parse(b.slice(6)) as Record<string, unknown>)
      .at(-1)!;
    expect(finished).toMatchObject({ data: { status: 'stopped' }, event: 'workflow_finished' });
  });

  it('keeps running when the streaming client goes away', async () => {
    const app = await client.deploy(token, httpApp(`${upstream.url}/slow?ms=1500`));
    const controller = new AbortController();
    const res = await fetch(`${stack.gateway.baseUrl}/v1/workflows/run`, {
      body: JSON.stringify({ inputs: {}, response_mode: 'streaming', user: 'leaver' }),
      headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
      method: 'POST',
      signal: controller.signal,
    });
    const first = Buffer.from((await res.body!.getReader().read()).value!).toString();
    expect(first).toContain('event: ping');
    const runId = await pollUntil(
      async () =>
        (
          await queryDatabase<{ id: string }>(
            stack.database.url,
            "SELECT id FROM orchestrator.workflow_runs WHERE created_by_end_user_session_id = 'leaver'",
          )
        )[0]?.id,
    );
    controller.abort();
    const detail = await pollUntil(
      async () => {
        const d = await client.call('GET', `/v1/workflows/run/${runId}`, { token: app.key });
        return d.body['status'] === 'running' ? undefined : d;
      },
      { timeoutMs: 15_000 },
    );
    expect(detail.body).toMatchObject({ outputs: { body: 'slept 1500' }, status: 'succeeded' });
  });

  async function orchestratorOf(runId: string, candidates: ServiceProcess[]): Promise<ServiceProcess> {
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
    const found = candidates.find((p) => owner!.endsWith(`-${p.pid}`));
    if (!found) throw new Error(`no candidate owns run ${runId} (owner ${owner})`);
    return found;
  }

  it('finishes a run once in one terminal state after its orchestrator is killed mid-run, on the other replica', async () => {
    const second = await stack.replica('orchestrator');
    second.start();
    await second.waitReady();
    const app = await client.deploy(token, httpApp(`${upstream.url}/slow?ms=2500`));
    // A blocking call: its answer must come from whichever replica finishes the run.
    const blocking = client.run(app.key, {}, 'crash');
    const runId = await pollUntil(
      async () =>
        (
          await queryDatabase<{ id: string }>(
            stack.database.url,
            "SELECT id FROM orchestrator.workflow_runs WHERE created_by_end_user_session_id = 'crash'",
          )
        )[0]?.id,
    );
    const owner = await orchestratorOf(runId, [stack.processes.orchestrator, second]);
    await pollUntil(() => upstream.calls.some((c) => c.path === '/slow?ms=2500'));
    await owner.stop('SIGKILL');
    const final = await pollUntil(
      async () => {
        const rows = await queryDatabase<{ status: string; lease_owner: string | null }>(
          stack.database.url,
          'SELECT status, lease_owner FROM orchestrator.workflow_runs WHERE id = $1',
          [runId],
        );
        return rows[0]?.status === 'running' ? undefined : rows[0];
      },
      { timeoutMs: 30_000 },
    );
    expect(final).toEqual({ lease_owner: null, status: 'succeeded' });
    const nodes = await queryDatabase<{ node_type: string; status: string }>(
      stack.database.url,
      'SELECT node_type, status FROM orchestrator.workflow_node_executions WHERE workflow_run_id = $1 ORDER BY index',
      [runId],
    );
    expect(nodes.filter((n) => n.node_type === 'end')).toEqual([{ node_type: 'end', status: 'succeeded' }]);
    expect(nodes.filter((n) => n.node_type === 'http-request' && n.status === 'succeeded')).toHaveLength(1);
    const detail = await client.call('GET', `/v1/workflows/run/${runId}`, { token: app.key });
    expect(detail.body).toMatchObject({ outputs: { body: 'slept 2500', status: 200 }, status: 'succeeded' });
    expect(runData(await blocking)).toMatchObject({ outputs: { body: 'slept 2500' }, status: 'succeeded' });
    if (owner === stack.processes.orchestrator) {
      stack.processes.orchestrator.start();
      await stack.processes.orchestrator.waitReady();
    }
  });

  it('retries a node on another node runner when its runner is killed mid-node', async () => {
    // The first call never answers, so the node is still in flight however long the replica takes to start.
    const path = '/slow?ms=200&hold=first';
    const app = await client.deploy(token, httpApp(`${upstream.url}${path}`));
    const run = client.run(app.key, {}, 'runner-crash');
    await pollUntil(() => upstream.calls.some((c) => c.path === path));
    const second = await stack.replica('node-runner');
    second.start();
    await second.waitReady();
    await stack.processes['node-runner'].stop('SIGKILL');
    const res = await run;
    expect(runData(res)).toMatchObject({ outputs: { body: 'slept 200' }, status: 'succeeded' });
    expect(upstream.calls.filter((c) => c.path === path)).toHaveLength(2);
    stack.processes['node-runner'].start();
    await stack.processes['node-runner'].waitReady();
  });

  it('shares runs across orchestrator replicas and nodes across node-runner replicas', async () => {
    for (const name of ['orchestrator', 'node-runner'] as const) {
      if (stack.replicasOf(name).filter((p) => p.isRunning()).length < 2) {
        const extra = await stack.replica(name);
        extra.start();
        await extra.waitReady();
      }
    }
    const app = await client.deploy(token, httpApp(`${upstream.url}/slow?ms=50`));
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => client.run(app.key, {}, `share-${i}`)));
    for (const r of results) expect(runData(r)).toMatchObject({ status: 'succeeded' });
    const count = async (p: ServiceProcess, pattern: RegExp) =>
      Number(pattern.exec(await (await fetch(`${p.baseUrl}/metrics`)).text())?.[1] ?? 0);
    const orchestrators = stack.replicasOf('orchestrator').filter((p) => p.isRunning());
    const runners = stack.replicasOf('node-runner').filter((p) => p.isRunning());
    expect(orchestrators.length).toBeGreaterThanOrEqual(2);
    expect(runners.length).toBeGreaterThanOrEqual(2);
    await expectEventually(async () => {
      for (const p of orchestrators)
        expect(await count(p, /dify_workflow_executions_total\{status="succeeded"\} (\d+)/)).toBeGreaterThan(0);
      for (const p of runners)
        expect(await count(p, /weft_nats_handler_total\{subject="wf\.node\.execute\.v1",outcome="ok"\} (\d+)/)).toBeGreaterThan(0);
    });
  });

  it('resumes a live run on the events endpoint: stored events first with include_state_snapshot, then live ones until it ends', async () => {
    const path = '/slow?ms=1500&for=resumer';
    const app = await client.deploy(token, httpApp(`${upstream.url}${path}`));
    const run = client.run(app.key, {}, 'resumer');
    const runId = await pollUntil(
      async () =>
        (
          await queryDatabase<{ id: string }>(
            stack.database.url,
            "SELECT id FROM orchestrator.workflow_runs WHERE created_by_end_user_session_id = 'resumer'",
          )
        )[0]?.id,
    );
    // The http-request node is in flight: start has finished, end has not begun.
    await pollUntil(() => upstream.calls.some((c) => c.path === path));
    const headers = { authorization: `Bearer ${app.key}` };
    // Without the snapshot, only what happens from now on (Dify's default); with it, the run so far first.
    const liveOnly = fetch(`${stack.gateway.baseUrl}/v1/workflow/${runId}/events?user=resumer`, { headers });
    const res = await fetch(`${stack.gateway.baseUrl}/v1/workflow/${runId}/events?user=resumer&include_state_snapshot=true`, { headers });
    const { events } = await readSse(res);
    const live = (await readSse(await liveOnly)).events;
    expect(live.map((e) => e['event'])).not.toContain('workflow_started');
    expect(live.filter((e) => e['event'] === 'node_started').map((e) => (e['data'] as { node_type: string }).node_type)).toEqual(['end']);
    expect(live.at(-1)).toMatchObject({ data: { status: 'succeeded' }, event: 'workflow_finished' });
    expect(events[0]!['event']).toBe('workflow_started');
    expect(events.at(-1)).toMatchObject({ data: { status: 'succeeded' }, event: 'workflow_finished' });
    expect(events.filter((e) => e['event'] === 'node_finished').map((e) => (e['data'] as { node_type: string }).node_type)).toEqual([
      'start',
      'http-request',
      'end',
    ]);
    await run;
  });
});

describe('one workflow app holding every node type Weft runs', () => {
  let stack: TestStack;
  let client: WeftClient;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    stack = await TestStack.create({ env: { PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST, SSRF_ALLOWED_HOSTS: ALLOWED_HOST } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
  });

  afterAll(async () => {
    await stack?.destroy();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  it('runs code, list-operator, parallel iteration, loop with assigner and loop-end, if-else, llm, aggregator, classifier, http-request, parameter-extractor and knowledge-retrieval', async () => {
    const mock = { completion_params: {}, mode: 'chat', name: 'weft-mock-chat', provider: 'weft-mock' };
    const yaml = new DslBuilder('every node')
      .node('start', 'start', {
        variables: [
          textInput('text', { max_length: 2000 }),
          { label: 'count', options: [], required: true, type: 'number', variable: 'count' },
        ],
      })
      .node('code', 'code', {
        code: 'function main({text}) { return { lines: text.split("\\n").map((l) => l.trim()).filter(Boolean) }; }',
        code_language: 'javascript',
        outputs: { lines: { children: null, type: 'array[string]' } },
        variables: [{ value_selector: ['start', 'text'], variable: 'text' }],
      })
      .node('list', 'list-operator', {
        extract_by: { enabled: false, serial: '1' },
        filter_by: { conditions: [], enabled: false },
        limit: { enabled: true, size: 3 },
        order_by: { enabled: false, key: '', value: 'asc' },
        variable: ['code', 'lines'],
      })
      .node('iteration', 'iteration', {
        error_handle_mode: 'terminated',
        flatten_output: true,
        is_parallel: true,
        iterator_selector: ['list', 'result'],
        output_selector: ['it_t', 'output'],
        parallel_nums: 2,
        start_node_id: 'itstart',
      })
      .node('itstart', 'iteration-start', {}, { parentId: 'iteration' })
      .node(
        'it_t',
        'template-transform',
        templateData('{{ index }}:{{ item }}', { index: ['iteration', 'index'], item: ['iteration', 'item'] }),
        { parentId: 'iteration' },
      )
      .node('loop', 'loop', {
        break_conditions: [],
        logical_operator: 'and',
        loop_count: 10,
        loop_variables: [{ id: 'v1', label: 'n', value: '0', value_type: 'constant', var_type: 'number' }],
        start_node_id: 'loopstart',
      })
      .node('loopstart', 'loop-start', {}, { parentId: 'loop' })
      .node(
        'inc',
        'assigner',
        {
          items: [{ input_type: 'constant', operation: '+=', value: 1, variable_selector: ['loop', 'n'], write_mode: 'over-write' }],
          version: '2',
        },
        { parentId: 'loop' },
      )
      .node(
        'check',
        'if-else',
        {
          cases: [
            {
              case_id: 'true',
              conditions: [{ comparison_operator: '≥', id: 'c1', value: '3', varType: 'number', variable_selector: ['loop', 'n'] }],
              id: 'true',
              logical_operator: 'and',
            },
          ],
        },
        { parentId: 'loop' },
      )
      .node('stop', 'loop-end', {}, { parentId: 'loop' })
      .node('branch', 'if-else', {
        cases: [
          {
            case_id: 'true',
            conditions: [{ comparison_operator: '>', id: 'c2', value: '2', varType: 'number', variable_selector: ['start', 'count'] }],
            id: 'true',
            logical_operator: 'and',
          },
        ],
      })
      .node('llm', 'llm', {
        context: { enabled: false, variable_selector: [] },
        model: mock,
        prompt_template: [{ role: 'user', text: 'Summarize: {{#start.text#}}' }],
        vision: { enabled: false },
      })
      .node('small', 'template-transform', templateData('small count', {}))
      .node('agg', 'variable-aggregator', {
        output_type: 'string',
        variables: [
          ['llm', 'text'],
          ['small', 'output'],
        ],
      })
      .node('classifier', 'question-classifier', {
        classes: [
          { id: 'c-news', name: 'news' },
          { id: 'c-other', name: 'other' },
        ],
        instruction: '',
        model: mock,
        query_variable_selector: ['start', 'text'],
      })
      .node('http', 'http-request', {
        authorization: { config: null, type: 'no-auth' },
        body: { data: [], type: 'none' },
        headers: '',
        method: 'get',
        params: '',
        timeout: { connect: 5, read: 10, write: 5 },
        url: `${upstream.url}/slow?ms=1`,
      })
      .node('other', 'template-transform', templateData('not news', {}))
      .node('extract', 'parameter-extractor', {
        instruction: '',
        model: mock,
        parameters: [{ description: 'the topic', name: 'topic', required: true, type: 'string' }],
        query: ['start', 'text'],
        reasoning_mode: 'function_call',
      })
      .node('kr', 'knowledge-retrieval', {
        dataset_ids: ['5f0d7a53-0a43-4a9b-9d44-95f1c1f0e7c1'],
        multiple_retrieval_config: { reranking_enable: false, top_k: 3 },
        query_variable_selector: ['start', 'text'],
        retrieval_mode: 'multiple',
      })
      .node(
        'end',
        'end',
        endData({
          agg: ['agg', 'output'],
          cls: ['classifier', 'class_name'],
          http: ['http', 'body'],
          iter: ['iteration', 'output'],
          kr: ['kr', 'result'],
          lines: ['list', 'result'],
          loop_n: ['loop', 'n'],
          topic: ['extract', 'topic'],
        }),
      )
      .chain('start', 'code', 'list', 'iteration', 'loop', 'branch')
      .edge('itstart', 'it_t')
      .chain('loopstart', 'inc', 'check')
      .edge('check', 'stop', 'true')
      .edge('branch', 'llm', 'true')
      .edge('branch', 'small', 'false')
      .edge('llm', 'agg')
      .edge('small', 'agg')
      .edge('agg', 'classifier')
      .edge('classifier', 'http', 'c-news')
      .edge('classifier', 'other', 'c-other')
      .edge('http', 'extract')
      .edge('other', 'extract')
      .chain('extract', 'kr', 'end')
      .toYaml();
    const token = await client.register();
    const app = await client.deploy(token, yaml);
    const streamed = await client.stream(app.key, { count: 5, text: 'alpha\nbeta\ngamma\ndelta' });
    const finished = streamed.events.at(-1)!;
    expect(finished['event']).toBe('workflow_finished');
    const data = finished['data'] as Record<string, unknown>;
    expect(data['status']).toBe('succeeded');
    const outputs = data['outputs'] as Record<string, unknown>;
    expect(outputs).toMatchObject({
      cls: 'news',
      http: 'slept 1',
      iter: ['0:alpha', '1:beta', '2:gamma'],
      kr: [],
      lines: ['alpha', 'beta', 'gamma'],
      loop_n: 3,
    });
    expect(String(outputs['agg'])).toContain('Summarize: alpha');
    expect(typeof outputs['topic']).toBe('string');
    const types = new Set(
      streamed.events.filter((e) => e['event'] === 'node_finished').map((e) => (e['data'] as { node_type: string }).node_type),
    );
    for (const t of [
      'start',
      'code',
      'list-operator',
      'iteration',
      'iteration-start',
      'template-transform',
      'loop',
      'loop-start',
      'assigner',
      'if-else',
      'loop-end',
      'llm',
      'variable-aggregator',
      'question-classifier',
      'http-request',
      'parameter-extractor',
      'knowledge-retrieval',
      'end',
    ]) {
      expect(types).toContain(t);
    }
    const names = streamed.events.map((e) => e['event']);
    for (const e of ['iteration_started', 'iteration_next', 'iteration_completed', 'loop_started', 'loop_next', 'loop_completed'])
      expect(names).toContain(e);
    const ran = new Set(
      streamed.events.filter((e) => e['event'] === 'node_started').map((e) => (e['data'] as { node_id: string }).node_id),
    );
    // The if-else took "true" (count 5 > 2) and the classifier chose "news": the other branches were skipped.
    expect(ran.has('small')).toBe(false);
    expect(ran.has('other')).toBe(false);
    expect(ran.has('llm')).toBe(true);
  });
});

describe('outbound allow-lists: a local model server the operator allows is not opened to workflows', () => {
  let stack: TestStack;
  let client: WeftClient;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    // The model server (127.0.0.2) is allowed for provider calls only; workflows may reach 127.0.0.3 only.
    stack = await TestStack.create({ env: { PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST, SSRF_ALLOWED_HOSTS: '127.0.0.3' } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
  });

  afterAll(async () => {
    await stack?.destroy();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  it('lets the llm node reach the allowed model server, and refuses an http-request node the same address', async () => {
    const token = await client.register();
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: upstream.url, openai_api_key: 'sk-e2e-secret' } },
      token,
    });
    expect(saved.status).toBe(200);
    const llm = await client.deploy(token, llmApp('langgenius/openai/openai', 'gpt-4o-mini'));
    const answered = await client.run(llm.key, { question: 'Who may call you?' });
    expect(runData(answered)).toMatchObject({ outputs: { answer: 'Weft runs Dify apps.' }, status: 'succeeded' });

    // The same server, asked by a workflow's own http-request node: refused, naming the workflows' setting.
    const calls = upstream.calls.length;
    const http = await client.deploy(token, httpApp(`${upstream.url}/slow?ms=1`));
    const refused = await client.run(http.key, {});
    expect(runData(refused)).toMatchObject({ status: 'failed' });
    expect(String(runData(refused)['error'])).toMatch(/not allowed; add it to SSRF_ALLOWED_HOSTS/);
    expect(upstream.calls.length).toBe(calls);

    // And a provider base URL on an address only workflows may reach is refused, naming the providers' setting.
    const other = await client.register();
    await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: upstream.url.replace(ALLOWED_HOST, '127.0.0.3'), openai_api_key: 'sk-e2e-secret' } },
      token: other,
    });
    const elsewhere = await client.deploy(other, llmApp('langgenius/openai/openai', 'gpt-4o-mini'));
    const blocked = await client.run(elsewhere.key, { question: 'And you?' });
    expect(runData(blocked)).toMatchObject({ status: 'failed' });
    expect(String(runData(blocked)['error'])).toMatch(/PROVIDER_ALLOWED_HOSTS/);
  });
});
