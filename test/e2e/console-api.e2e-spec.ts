import { createServer, type Server } from 'node:http';
import { DslBuilder, endData, pollUntil, textInput, TestStack, WeftClient, type JsonResponse, httpGetData } from '@weft/testing';

// The console API of issue 21 (runs, conversations, knowledge, system), through the gateway with the real
// stack: data comes from real runs through the Service API, every route is tried by a reader (`normal`), an
// owner, another workspace's account and no account at all.

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
/** The slow upstream listens here, the one private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';

interface RunItem {
  created_at: number;
  created_by_end_user: { id: string; session_id: string | null } | null;
  error: string | null;
  id: string;
  inputs: Record<string, unknown>;
  status: string;
}
interface RunPage {
  data: RunItem[];
  has_more: boolean;
  limit: number;
}
interface NodeExecution {
  error: string | null;
  index: number;
  inputs: Record<string, unknown> | null;
  node_id: string;
  node_type: string;
  outputs: Record<string, unknown> | null;
  status: string;
}

/** start(name) → code (fails on "boom") → end. */
const codeApp = new DslBuilder('console runs')
  .node('start', 'start', { variables: [textInput('name')] })
  .node('code', 'code', {
    code: 'function main({x}) { if (x === "boom") throw new Error("boom went the code"); return { result: "hi " + x }; }',
    code_language: 'javascript',
    outputs: { result: { children: null, type: 'string' } },
    variables: [{ value_selector: ['start', 'name'], variable: 'x' }],
  })
  .node('end', 'end', endData({ result: ['code', 'result'] }))
  .chain('start', 'code', 'end')
  .toYaml();

function slowApp(url: string): string {
  return new DslBuilder('console slow')
    .node('start', 'start', { variables: [] })
    .node('http', 'http-request', httpGetData(url))
    .node('end', 'end', endData({ body: ['http', 'body'] }))
    .chain('start', 'http', 'end')
    .toYaml();
}

const echoChat = new DslBuilder('console chat', 'advanced-chat')
  .node('start', 'start', { variables: [] })
  .node('answer', 'answer', { answer: 'Echo: {{#sys.query#}}' })
  .chain('start', 'answer')
  .toYaml();

const GRAFANA = 'https://grafana.example.test/d/weft';
const TRACE_TEMPLATE = 'http://jaeger.example.test:16686/trace/{trace_id}';

/** Reads a fetch body as SSE until `until` says stop (or the stream ends); answers the parsed events. */
async function readEvents(
  res: Response,
  until: (events: Record<string, unknown>[]) => boolean = () => false,
): Promise<{ done: boolean; events: Record<string, unknown>[] }> {
  const reader = res.body!.getReader();
  let text = '';
  const parse = () =>
    text
      .split('\n\n')
      .map((b) => b.trim())
      .filter((b) => b.startsWith('data: '))
      .map((b) => JSON.parse(b.slice(6)) as Record<string, unknown>);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { done: true, events: parse() };
    text += Buffer.from(value).toString();
    if (text.endsWith('\n\n') && until(parse())) {
      reader.releaseLock();
      return { done: false, events: parse() };
    }
  }
}

describe('the console API', () => {
  let stack: TestStack;
  let client: WeftClient;
  let upstream: Server;
  let upstreamUrl: string;
  let owner: string;
  let normal: string;
  let stranger: string;
  let app: { appId: string; key: string };
  let otherApp: { appId: string; key: string };
  const runs: Record<string, string> = {};
  let otherRunId: string;

  const get = <T = Record<string, unknown>>(path: string, token = owner): Promise<JsonResponse<T>> =>
    client.call<T>('GET', `/console/api${path}`, { token });
  const runList = (query: Record<string, string> = {}, appId = app.appId, token = owner) =>
    get<RunPage>(`/apps/${appId}/workflow-runs?${new URLSearchParams(query)}`, token);

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? '1');
      const timer = setTimeout(() => res.end(`slept ${ms}`), ms);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => upstream.listen(0, ALLOWED_HOST, resolve));
    upstreamUrl = `http://${ALLOWED_HOST}:${(upstream.address() as { port: number }).port}`;
    stack = await TestStack.create({
      env: { CONSOLE_GRAFANA_URL: GRAFANA, CONSOLE_TRACE_URL_TEMPLATE: TRACE_TEMPLATE, SSRF_ALLOWED_HOSTS: ALLOWED_HOST },
    });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    const ownerAccount = await client.signUp();
    owner = ownerAccount.access_token;
    const reader = await client.signUp();
    await client.inviteAndAccept(owner, reader.email, reader.access_token, 'normal');
    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: ownerAccount.workspace_id },
      token: reader.access_token,
    });
    expect(switched.status).toBe(200);
    normal = switched.body.access_token;
    stranger = await client.register();

    app = await client.deploy(owner, codeApp);
    otherApp = await client.deploy(owner, codeApp);
    // One at a time, so created_at orders them.
    for (const [name, user] of [
      ['Ada', 'u1'],
      ['Bob', 'u2'],
      ['boom', 'u1'],
      ['Cyd', 'u2'],
    ]) {
      const res = await client.run(app.key, { name }, user);
      expect(res.status).toBe(200);
      runs[name] = (res.body['data'] as { id: string }).id;
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    const other = await client.run(otherApp.key, { name: 'Bob' }, 'u2');
    otherRunId = (other.body['data'] as { id: string }).id;
  });

  afterAll(async () => {
    await stack?.destroy();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  describe('runs', () => {
    it("lists an app's runs newest first, with who started them, and no other app's", async () => {
      const res = await runList();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ has_more: false, limit: 20 });
      expect(res.body.data.map((r) => r.id)).toEqual([runs['Cyd'], runs['boom'], runs['Bob'], runs['Ada']]);
      expect(res.body.data.map((r) => r.id)).not.toContain(otherRunId);
      const boom = res.body.data.find((r) => r.id === runs['boom'])!;
      expect(boom).toMatchObject({ inputs: { name: 'boom' }, status: 'failed', created_by_end_user: { session_id: 'u1' } });
      expect(boom.error).toMatch(/boom went the code/);
      expect(res.body.data.find((r) => r.id === runs['Ada'])).toMatchObject({ status: 'succeeded', triggered_from: 'app-run' });
    });

    it('filters by status, end user (session or id), text in the inputs and time range', async () => {
      const ids = async (query: Record<string, string>) => {
        const res = await runList(query);
        expect(res.status).toBe(200);
        return res.body.data.map((r) => r.id).sort();
      };
      expect(await ids({ status: 'failed' })).toEqual([runs['boom']]);
      expect(await ids({ status: 'succeeded' })).toEqual([runs['Ada'], runs['Bob'], runs['Cyd']].sort());
      expect(await ids({ status: 'running' })).toEqual([]);
      expect(await ids({ end_user: 'u2' })).toEqual([runs['Bob'], runs['Cyd']].sort());
      const all = (await runList()).body.data;
      const u1Id = all.find((r) => r.id === runs['Ada'])!.created_by_end_user!.id;
      expect(await ids({ end_user: u1Id })).toEqual([runs['Ada'], runs['boom']].sort());
      expect(await ids({ keyword: 'Bob' })).toEqual([runs['Bob']]);
      expect(await ids({ keyword: 'nobody-typed-this' })).toEqual([]);
      expect(await ids({ end_user: 'u2', keyword: 'Cyd', status: 'succeeded' })).toEqual([runs['Cyd']]);
      const bob = all.find((r) => r.id === runs['Bob'])!;
      const cyd = all.find((r) => r.id === runs['Cyd'])!;
      expect(await ids({ created_at__after: String(cyd.created_at) })).toEqual([runs['Cyd']]);
      expect(await ids({ created_at__before: String(bob.created_at) })).toEqual([runs['Ada'], runs['Bob']].sort());
      expect(await ids({ created_at__after: String(bob.created_at), created_at__before: String(bob.created_at) })).toEqual([runs['Bob']]);
    });

    it('pages with last_id, every run once', async () => {
      const seen: string[] = [];
      let lastId: string | undefined;
      for (let i = 0; i < 10; i++) {
        const res = await runList({ limit: '1', ...(lastId ? { last_id: lastId } : {}) });
        expect(res.status).toBe(200);
        expect(res.body.data).toHaveLength(1);
        seen.push(res.body.data[0]!.id);
        lastId = res.body.data[0]!.id;
        if (!res.body.has_more) break;
      }
      expect(seen).toEqual([runs['Cyd'], runs['boom'], runs['Bob'], runs['Ada']]);
      const two = await runList({ last_id: runs['Bob']!, limit: '2' });
      expect(two.body).toMatchObject({ data: [{ id: runs['Ada'] }], has_more: false, limit: 2 });
    });

    it('shows a run with the graph it ran and its node executions in order', async () => {
      const res = await get<Record<string, unknown>>(`/apps/${app.appId}/workflow-runs/${runs['Ada']}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        created_by_end_user: { session_id: 'u1' },
        id: runs['Ada'],
        inputs: { name: 'Ada' },
        outputs: { result: 'hi Ada' },
        status: 'succeeded',
        total_steps: 3,
        trace_id: null,
      });
      const graph = res.body['graph'] as { edges: { source: string; target: string }[]; nodes: { data: { type: string }; id: string }[] };
      expect(graph.nodes.map((n) => [n.id, n.data.type])).toEqual([
        ['start', 'start'],
        ['code', 'code'],
        ['end', 'end'],
      ]);
      expect(graph.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['start>code', 'code>end']);

      const nodes = await get<{ data: NodeExecution[] }>(`/apps/${app.appId}/workflow-runs/${runs['Ada']}/node-executions`);
      expect(nodes.status).toBe(200);
      expect(nodes.body.data.map((n) => [n.index, n.node_id, n.node_type, n.status])).toEqual([
        [1, 'start', 'start', 'succeeded'],
        [2, 'code', 'code', 'succeeded'],
        [3, 'end', 'end', 'succeeded'],
      ]);
      expect(nodes.body.data[1]).toMatchObject({ inputs: { x: 'Ada' }, outputs: { result: 'hi Ada' } });
      const failed = await get<{ data: NodeExecution[] }>(`/apps/${app.appId}/workflow-runs/${runs['boom']}/node-executions`);
      expect(failed.body.data.find((n) => n.node_id === 'code')).toMatchObject({ status: 'failed' });
      expect(failed.body.data.find((n) => n.node_id === 'code')!.error).toMatch(/boom went the code/);
    });

    it("streams a finished run's ending and closes", async () => {
      const res = await fetch(`${stack.gateway.baseUrl}/console/api/apps/${app.appId}/workflow-runs/${runs['Ada']}/events`, {
        headers: { authorization: `Bearer ${normal}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const { done, events } = await readEvents(res);
      expect(done).toBe(true);
      expect(events.at(-1)).toMatchObject({
        data: { id: runs['Ada'], outputs: { result: 'hi Ada' }, status: 'succeeded' },
        event: 'workflow_finished',
        workflow_run_id: runs['Ada'],
      });
    });

    it('follows a running run live, and an editor (not a normal member) stops it', async () => {
      const slow = await client.deploy(owner, slowApp(`${upstreamUrl}/slow?ms=30000`));
      const started = await fetch(`${stack.gateway.baseUrl}/v1/workflows/run`, {
        body: JSON.stringify({ inputs: {}, response_mode: 'streaming', user: 'slowpoke' }),
        headers: { authorization: `Bearer ${slow.key}`, 'content-type': 'application/json' },
        method: 'POST',
      });
      const head = await readEvents(started, (events) =>
        events.some((e) => e['event'] === 'node_started' && (e['data'] as Record<string, unknown>)['node_id'] === 'http'),
      );
      const runId = head.events[0]!['workflow_run_id'] as string;
      const taskId = head.events[0]!['task_id'] as string;
      expect((await runList({ status: 'running' }, slow.appId)).body.data.map((r) => r.id)).toEqual([runId]);

      const live = await fetch(`${stack.gateway.baseUrl}/console/api/apps/${slow.appId}/workflow-runs/${runId}/events`, {
        headers: { authorization: `Bearer ${normal}` },
      });
      expect(live.status).toBe(200);
      const refused = await client.call('POST', `/console/api/apps/${slow.appId}/workflow-runs/tasks/${taskId}/stop`, { token: normal });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'forbidden', status: 403 });
      const stop = await client.call('POST', `/console/api/apps/${slow.appId}/workflow-runs/tasks/${taskId}/stop`, { token: owner });
      expect(stop).toMatchObject({ body: { result: 'success' }, status: 200 });
      const { done, events } = await readEvents(live);
      expect(done).toBe(true);
      const names = events.map((e) => e['event']);
      expect(names[0]).toBe('workflow_started');
      expect(names).toContain('node_started');
      expect(events.at(-1)).toMatchObject({ data: { status: 'stopped' }, event: 'workflow_finished', workflow_run_id: runId });
      expect((await runList({ status: 'stopped' }, slow.appId)).body.data.map((r) => r.id)).toEqual([runId]);
    });

    it('lets a normal member read runs', async () => {
      expect((await runList({}, app.appId, normal)).body.data).toHaveLength(4);
      expect((await get(`/apps/${app.appId}/workflow-runs/${runs['Bob']}`, normal)).status).toBe(200);
      expect((await get(`/apps/${app.appId}/workflow-runs/${runs['Bob']}/node-executions`, normal)).status).toBe(200);
    });

    it("answers 404 for another workspace's app, another app's run and unknown ids", async () => {
      const notFound = (res: { body: unknown; status: number }) => {
        const body = res.body as Record<string, unknown>;
        expect([res.status, body['code'], body['status']]).toEqual([404, 'not_found', 404]);
      };
      notFound(await runList({}, app.appId, stranger));
      notFound(await get(`/apps/${app.appId}/workflow-runs/${runs['Ada']}`, stranger));
      notFound(await get(`/apps/${app.appId}/workflow-runs/${runs['Ada']}/node-executions`, stranger));
      notFound(await get(`/apps/${app.appId}/workflow-runs/${runs['Ada']}/events`, stranger));
      notFound(await client.call('POST', `/console/api/apps/${app.appId}/workflow-runs/tasks/${UNKNOWN}/stop`, { token: stranger }));
      notFound(await get(`/apps/${app.appId}/workflow-runs/${otherRunId}`));
      notFound(await get(`/apps/${app.appId}/workflow-runs/${otherRunId}/node-executions`));
      notFound(await get(`/apps/${app.appId}/workflow-runs/not-a-uuid`));
      notFound(await get(`/apps/${UNKNOWN}/workflow-runs`));
      notFound(await get(`/apps/not-a-uuid/workflow-runs`));
      notFound(await runList({ last_id: otherRunId }));
    });

    it.each([
      ['limit=0'],
      ['limit=101'],
      ['limit=ten'],
      ['status=done'],
      ['created_at__after=yesterday'],
      ['created_at__before=-5'],
      ['last_id=42'],
      [`keyword=${'x'.repeat(201)}`],
    ])('answers 400 to %s', async (query) => {
      const res = await get(`/apps/${app.appId}/workflow-runs?${query}`);
      expect([res.status, res.body['code']]).toEqual([400, 'invalid_param']);
    });

    it('answers 401 without a token or with a forged one', async () => {
      const forged = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4Iiwid2lkIjoieCIsInNpZCI6IngifQ.c2lnbmF0dXJl';
      for (const token of [undefined, forged]) {
        const res = await client.call('GET', `/console/api/apps/${app.appId}/workflow-runs`, token ? { token } : {});
        expect([res.status, res.body['status']]).toEqual([401, 401]);
      }
    });
  });
  describe('conversations', () => {
    let chat: { appId: string; key: string };
    const conversationOf: Record<string, string> = {};
    const messageOf: Record<string, string> = {};
    interface ConversationItem {
      from_end_user_id: string;
      from_end_user_session_id: string | null;
      id: string;
      message_count: number;
    }
    interface MessageItem {
      answer: string;
      feedback: { rating: string } | null;
      id: string;
      query: string;
      workflow_run_id: string | null;
    }

    beforeAll(async () => {
      chat = await client.deploy(owner, echoChat);
      for (const [user, queries] of [
        ['ada', ['Hello', 'Again']],
        ['bob', ['Hi']],
      ] as const) {
        let conversationId = '';
        for (const query of queries) {
          const res = await client.call<{ conversation_id: string; message_id: string }>('POST', '/v1/chat-messages', {
            body: { conversation_id: conversationId, inputs: {}, query, response_mode: 'blocking', user },
            token: chat.key,
          });
          expect(res.status).toBe(200);
          conversationId = res.body.conversation_id;
          messageOf[`${user}:${query}`] = res.body.message_id;
        }
        conversationOf[user] = conversationId;
      }
    });

    it("lists every end user's conversations, most recent first, and pages them once each", async () => {
      const res = await get<{ data: ConversationItem[]; has_more: boolean; limit: number }>(
        `/apps/${chat.appId}/chat-conversations`,
        normal,
      );
      expect(res.status).toBe(200);
      expect(res.body.data.map((c) => [c.id, c.from_end_user_session_id, c.message_count])).toEqual([
        [conversationOf['bob'], 'bob', 1],
        [conversationOf['ada'], 'ada', 2],
      ]);
      const first = await get<{ data: ConversationItem[]; has_more: boolean }>(`/apps/${chat.appId}/chat-conversations?limit=1`);
      expect(first.body).toMatchObject({ data: [{ id: conversationOf['bob'] }], has_more: true });
      const second = await get<{ data: ConversationItem[]; has_more: boolean }>(
        `/apps/${chat.appId}/chat-conversations?limit=1&last_id=${conversationOf['bob']}`,
      );
      expect(second.body).toMatchObject({ data: [{ id: conversationOf['ada'] }], has_more: false });
    });

    it("reads a conversation's messages with the run that answered them", async () => {
      const res = await get<{ data: MessageItem[]; has_more: boolean }>(
        `/apps/${chat.appId}/chat-messages?conversation_id=${conversationOf['ada']}`,
        normal,
      );
      expect(res.status).toBe(200);
      expect(res.body.data.map((m) => [m.query, m.answer, m.feedback])).toEqual([
        ['Hello', 'Echo: Hello', null],
        ['Again', 'Echo: Again', null],
      ]);
      const runId = res.body.data[0]!.workflow_run_id!;
      expect(runId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await get(`/apps/${chat.appId}/workflow-runs/${runId}`)).body).toMatchObject({ id: runId, status: 'succeeded' });
      const back = await get<{ data: MessageItem[]; has_more: boolean }>(
        `/apps/${chat.appId}/chat-messages?conversation_id=${conversationOf['ada']}&limit=1&first_id=${messageOf['ada:Again']}`,
      );
      expect(back.body).toMatchObject({ data: [{ id: messageOf['ada:Hello'] }], has_more: false });
    });

    it("takes an editor's feedback, refuses a normal member's", async () => {
      const messageId = messageOf['bob:Hi']!;
      const refused = await client.call('POST', `/console/api/apps/${chat.appId}/feedbacks`, {
        body: { message_id: messageId, rating: 'like' },
        token: normal,
      });
      expect([refused.status, refused.body['code']]).toEqual([403, 'forbidden']);
      const liked = await client.call('POST', `/console/api/apps/${chat.appId}/feedbacks`, {
        body: { message_id: messageId, rating: 'dislike' },
        token: owner,
      });
      expect(liked).toMatchObject({ body: { result: 'success' }, status: 200 });
      const read = async () =>
        (await get<{ data: MessageItem[] }>(`/apps/${chat.appId}/chat-messages?conversation_id=${conversationOf['bob']}`)).body.data[0]!
          .feedback;
      expect(await read()).toEqual({ rating: 'dislike' });
      const cleared = await client.call('POST', `/console/api/apps/${chat.appId}/feedbacks`, {
        body: { message_id: messageId, rating: null },
        token: owner,
      });
      expect(cleared.status).toBe(200);
      expect(await read()).toBeNull();
    });

    it('answers 404 across workspaces and apps, 400 to bad input and to a workflow app', async () => {
      expect((await get(`/apps/${chat.appId}/chat-conversations`, stranger)).status).toBe(404);
      expect((await get(`/apps/${chat.appId}/chat-messages?conversation_id=${conversationOf['ada']}`, stranger)).status).toBe(404);
      const strangerFeedback = await client.call('POST', `/console/api/apps/${chat.appId}/feedbacks`, {
        body: { message_id: messageOf['ada:Hello'], rating: 'like' },
        token: stranger,
      });
      expect(strangerFeedback.status).toBe(404);
      const otherChat = await client.deploy(owner, echoChat);
      expect((await get(`/apps/${otherChat.appId}/chat-messages?conversation_id=${conversationOf['ada']}`)).status).toBe(404);
      const wrongApp = await client.call('POST', `/console/api/apps/${otherChat.appId}/feedbacks`, {
        body: { message_id: messageOf['ada:Hello'], rating: 'like' },
        token: owner,
      });
      expect(wrongApp.status).toBe(404);
      expect((await get(`/apps/${chat.appId}/chat-conversations?last_id=${UNKNOWN}`)).status).toBe(404);
      expect((await get(`/apps/${chat.appId}/chat-messages?conversation_id=${UNKNOWN}`)).status).toBe(404);
      for (const path of [
        `/apps/${chat.appId}/chat-conversations?limit=0`,
        `/apps/${chat.appId}/chat-conversations?last_id=nope`,
        `/apps/${chat.appId}/chat-messages`,
        `/apps/${chat.appId}/chat-messages?conversation_id=${conversationOf['ada']}&limit=500`,
        `/apps/${app.appId}/chat-conversations`,
      ]) {
        const res = await get(path);
        expect([path, res.status]).toEqual([path, 400]);
      }
      const badRating = await client.call('POST', `/console/api/apps/${chat.appId}/feedbacks`, {
        body: { message_id: messageOf['ada:Hello'], rating: 'meh' },
        token: owner,
      });
      expect([badRating.status, badRating.body['code']]).toEqual([400, 'invalid_param']);
    });
  });

  describe('knowledge', () => {
    let datasetId: string;
    let documentId: string;

    beforeAll(async () => {
      const key = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: owner })).body.token;
      const dataset = await client.call<{ id: string }>('POST', '/v1/datasets', {
        body: { indexing_technique: 'economy', name: 'Loom notes' },
        token: key,
      });
      expect(dataset.status).toBe(200);
      datasetId = dataset.body.id;
      const doc = await client.call<{ document: { id: string } }>('POST', `/v1/datasets/${datasetId}/document/create-by-text`, {
        body: {
          indexing_technique: 'economy',
          name: 'weaving.txt',
          process_rule: { mode: 'automatic' },
          text: 'The warp threads run along the loom. The weft crosses them.',
        },
        token: key,
      });
      expect(doc.status).toBe(200);
      documentId = doc.body.document.id;
    });

    it('lists datasets and documents, whose indexing status reaches completed', async () => {
      const datasets = await get<{ data: { id: string; name: string }[]; total: number }>('/datasets?page=1&limit=20', normal);
      expect(datasets.status).toBe(200);
      expect(datasets.body.data.map((d) => [d.id, d.name])).toEqual([[datasetId, 'Loom notes']]);
      const done = await pollUntil(
        async () => {
          const res = await get<{ data: { id: string; indexing_status: string; word_count: number }[] }>(
            `/datasets/${datasetId}/documents`,
            normal,
          );
          expect(res.status).toBe(200);
          return res.body.data[0]?.indexing_status === 'completed' ? res.body.data[0] : undefined;
        },
        { timeoutMs: 30_000, what: 'the document indexed' },
      );
      expect(done).toMatchObject({ id: documentId, indexing_status: 'completed' });
      expect(done.word_count).toBeGreaterThan(0);
    });

    it('lists segments and runs a retrieval test with scores', async () => {
      const segments = await get<{ data: { content: string }[] }>(`/datasets/${datasetId}/documents/${documentId}/segments`, normal);
      expect(segments.status).toBe(200);
      expect(segments.body.data.map((s) => s.content).join(' ')).toContain('The weft crosses them.');
      const hit = await client.call<{ query: { content: string }; records: { score: number | null; segment: { content: string } }[] }>(
        'POST',
        `/console/api/datasets/${datasetId}/hit-testing`,
        { body: { query: 'weft', retrieval_model: { search_method: 'full_text_search', top_k: 3 } }, token: normal },
      );
      expect(hit.status).toBe(200);
      expect(hit.body.query).toEqual({ content: 'weft' });
      expect(hit.body.records[0]!.segment.content).toContain('weft');
      expect(typeof hit.body.records[0]!.score).toBe('number');
    });

    it("keeps another workspace's datasets out, and answers 400 to bad input", async () => {
      expect((await get<{ data: unknown[] }>('/datasets', stranger)).body.data).toEqual([]);
      expect((await get(`/datasets/${datasetId}/documents`, stranger)).status).toBe(404);
      expect((await get(`/datasets/${datasetId}/documents/${documentId}/segments`, stranger)).status).toBe(404);
      const hit = await client.call('POST', `/console/api/datasets/${datasetId}/hit-testing`, { body: { query: 'weft' }, token: stranger });
      expect(hit.status).toBe(404);
      expect((await get(`/datasets/${UNKNOWN}/documents`)).status).toBe(404);
      expect((await get('/datasets?limit=0')).status).toBe(400);
      expect((await get(`/datasets/${datasetId}/documents?page=zero`)).status).toBe(400);
      const noQuery = await client.call('POST', `/console/api/datasets/${datasetId}/hit-testing`, { body: {}, token: owner });
      expect([noQuery.status, noQuery.body['code']]).toEqual([400, 'invalid_param']);
      expect((await client.call('GET', '/console/api/datasets')).status).toBe(401);
    });
  });

  describe('system', () => {
    it('shows admins the services, the work-queue backlogs and the configured links', async () => {
      const res = await get<{
        links: { grafana: string | null; trace_url_template: string | null };
        queues: { consumer: string; pending: number; stream: string }[];
        services: { name: string; status: string }[];
      }>('/system/status');
      expect(res.status).toBe(200);
      expect(res.body.services.map((s) => s.name).sort()).toEqual(['compliance', 'gateway', 'node-runner', 'orchestrator', 'rag']);
      expect(res.body.links).toEqual({ grafana: GRAFANA, trace_url_template: TRACE_TEMPLATE });
      const streams = res.body.queues.map((q) => q.stream);
      expect(streams.some((s) => s.endsWith('WF_NODES'))).toBe(true);
      expect(streams.some((s) => s.endsWith('KB_INGEST'))).toBe(true);
      for (const q of res.body.queues) expect(q.pending).toBeGreaterThanOrEqual(0);
    });

    it('refuses a normal member (403) and anyone without a valid token (401)', async () => {
      for (const path of ['/system/status', '/audit/logs', '/audit/verify']) {
        const res = await get(path, normal);
        expect([path, res.status, res.body['code']]).toEqual([path, 403, 'forbidden']);
      }
      expect((await client.call('GET', '/console/api/system/status')).status).toBe(401);
      expect((await client.call('GET', '/console/api/system/status', { token: `${owner}x` })).status).toBe(401);
    });
  });
});
