import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import {
  DslBuilder,
  endData,
  freePort,
  httpGetData,
  pollUntil,
  readSse,
  ServiceProcess,
  textInput,
  TestStack,
  WeftClient,
} from '@weft/testing';

/** Test servers listen on 127.0.0.2, the one private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';

/** SpanKind as OTLP numbers it. */
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}

interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}

/** One span as it arrived, with the service.name of its resource. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

function plain(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

const attributesOf = (list: OtlpKeyValue[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, plain(a.value)]));

/**
 * A local OTLP/HTTP receiver: POST /v1/traces with the OTLP JSON encoding (ExportTraceServiceRequest),
 * answered with an empty ExportTraceServiceResponse, as a Collector does. Anything else is refused, so a
 * service sending the wrong encoding or path fails the test.
 */
async function startReceiver(): Promise<{ spans: ReceivedSpan[]; posts: number; refused: string[]; server: Server; url: string }> {
  const state = { posts: 0, refused: [] as string[], spans: [] as ReceivedSpan[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.posts++;
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        state.refused.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        res.writeHead(415).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const request = JSON.parse(body.toString()) as {
        resourceSpans?: {
          resource?: { attributes?: OtlpKeyValue[] };
          scopeSpans?: {
            spans?: {
              traceId: string;
              spanId: string;
              parentSpanId?: string;
              name: string;
              kind: number;
              attributes?: OtlpKeyValue[];
            }[];
          }[];
        }[];
      };
      for (const rs of request.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name']);
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            state.spans.push({
              attributes: attributesOf(s.attributes),
              kind: s.kind,
              name: s.name,
              parentSpanId: s.parentSpanId ?? '',
              service,
              spanId: s.spanId,
              traceId: s.traceId,
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
}

interface UpstreamCall {
  path: string;
  headers: IncomingHttpHeaders;
}

/** The outside world of the workflows: a plain endpoint, a slow one, and an OpenAI-compatible streaming chat. */
async function startUpstream(): Promise<{ calls: UpstreamCall[]; server: Server; url: string }> {
  const calls: UpstreamCall[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      calls.push({ headers: req.headers, path: req.url ?? '' });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/slow') {
        // `hold=first`: the first call to this exact URL never answers (its node runner is about to be killed).
        if (url.searchParams.get('hold') === 'first' && calls.filter((c) => c.path === req.url).length === 1) return;
        setTimeout(() => res.end('slept'), 100);
        return;
      }
      if (url.pathname === '/v1/chat/completions') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const w of ['Traced', ' answer.'])
          res.write(
            `data: ${JSON.stringify({ choices: [{ delta: { content: w }, finish_reason: null, index: 0 }], id: 'c1', object: 'chat.completion.chunk' })}\n\n`,
          );
        res.write(
          `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop', index: 0 }], id: 'c1', object: 'chat.completion.chunk' })}\n\n`,
        );
        res.write(
          `data: ${JSON.stringify({ choices: [], id: 'c1', object: 'chat.completion.chunk', usage: { completion_tokens: 2, prompt_tokens: 5, total_tokens: 7 } })}\n\n`,
        );
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`pong ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, ALLOWED_HOST, resolve));
  return { calls, server, url: `http://${ALLOWED_HOST}:${(server.address() as { port: number }).port}` };
}

/** start → code (javascript) → http-request → end. */
function codeThenHttpApp(url: string): string {
  return new DslBuilder('traced code and http')
    .node('start', 'start', { variables: [textInput('x')] })
    .node('code', 'code', {
      code: 'function main({x}) { return { result: x.toUpperCase() }; }',
      code_language: 'javascript',
      outputs: { result: { children: null, type: 'string' } },
      variables: [{ value_selector: ['start', 'x'], variable: 'x' }],
    })
    .node('http', 'http-request', httpGetData(`${url}/ping/{{#code.result#}}?api_key=sk-in-the-query`))
    .node('end', 'end', endData({ body: ['http', 'body'], result: ['code', 'result'] }))
    .chain('start', 'code', 'http', 'end')
    .toYaml();
}

/** The trace id of a W3C `traceparent` header. */
const traceIdOf = (traceparent: unknown) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(String(traceparent))?.[1];

describe('tracing: one trace from the HTTP request through NATS to the node runner and its outbound calls', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let stack: TestStack;
  let client: WeftClient;
  let token: string;

  const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
  const byId = (traceId: string) => new Map(spansOf(traceId).map((s) => [s.spanId, s]));
  /** The chain of spans from `span` up to its root, within what was received. */
  const ancestry = (span: ReceivedSpan): ReceivedSpan[] => {
    const index = byId(span.traceId);
    const chain = [span];
    for (let parent = index.get(span.parentSpanId); parent; parent = index.get(parent.parentSpanId)) chain.push(parent);
    return chain;
  };
  /** Whether an attribute of the span mentions `text` (the URL attributes differ between HTTP semantic-convention versions). */
  const mentions = (span: ReceivedSpan, text: string) =>
    Object.values(span.attributes).some((v) => typeof v === 'string' && v.includes(text));
  /** Waits until the received spans of a trace satisfy `done` and no new ones arrive for a moment (the batches have all landed). */
  async function settledTrace(traceId: string, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
    await pollUntil(() => done(spansOf(traceId)), { timeoutMs: 20_000, what: `the spans of trace ${traceId}` });
    let count = -1;
    await pollUntil(
      async () => {
        const now = spansOf(traceId).length;
        const stable = now === count;
        count = now;
        if (!stable) await new Promise((resolve) => setTimeout(resolve, 600));
        return stable;
      },
      { timeoutMs: 20_000, what: 'the trace to stop growing' },
    );
    return spansOf(traceId);
  }
  const rootOf = (spans: ReceivedSpan[]) => spans.filter((s) => s.parentSpanId === '');

  beforeAll(async () => {
    receiver = await startReceiver();
    upstream = await startUpstream();
    stack = await TestStack.create({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Batches leave every 200 ms instead of 5 s, so the test does not wait for them.
        OTEL_BSP_SCHEDULE_DELAY: '200',
        // The bus logs each request it handles at debug level: the log lines whose trace ids are checked.
        LOG_LEVEL: 'debug',
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
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('follows a workflow with a code node and an http-request node from the gateway through the orchestrator to the node runner', async () => {
    const app = await client.deploy(token, codeThenHttpApp(upstream.url));
    const res = await client.run(app.key, { x: 'trace' }, 'tracer');
    expect((res.body['data'] as Record<string, unknown>)['outputs']).toEqual({ body: 'pong /ping/TRACE', result: 'TRACE' });

    // The node runner's outbound call carried the trace: that is the trace of this run.
    const call = upstream.calls.find((c) => c.path === '/ping/TRACE?api_key=sk-in-the-query')!;
    const traceId = traceIdOf(call.headers['traceparent'])!;
    expect(traceId).toBeDefined();

    const isOutbound = (s: ReceivedSpan) => s.service === 'weft-node-runner' && s.kind === KIND.client && mentions(s, '/ping/TRACE');
    const spans = await settledTrace(
      traceId,
      (list) => list.some(isOutbound) && list.some((s) => s.service === 'weft-gateway') && list.some((s) => s.name === 'weft.workflow.run'),
    );
    // The three services the run crosses (compliance joins too: it consumes the run's audit events within the trace).
    const services = [...new Set(spans.map((s) => s.service))];
    expect(services).toEqual(expect.arrayContaining(['weft-gateway', 'weft-orchestrator', 'weft-node-runner']));
    expect(spans.filter((s) => s.service === 'weft-compliance').every((s) => s.kind !== KIND.server || s.name.endsWith(' process'))).toBe(
      true,
    );

    // One root: the gateway's HTTP server span of POST /v1/workflows/run; every other span hangs under it.
    const roots = rootOf(spans);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ kind: KIND.server, service: 'weft-gateway' });
    expect(mentions(roots[0]!, '/v1/workflows/run')).toBe(true);
    for (const s of spans) expect(ancestry(s).at(-1)).toBe(roots[0]);

    // outbound call ← node runner's job span ← the orchestrator's publish ← … ← run start (server) ← run start (client) ← HTTP server.
    const chain = ancestry(spans.find(isOutbound)!).map((s) => `${s.service} ${s.name} ${s.kind}`);
    const expectInOrder = (steps: string[]) => {
      let at = -1;
      for (const step of steps) {
        const next = chain.findIndex((entry, i) => i > at && entry === step);
        expect({ chain, missing: next < 0 ? step : undefined }).toEqual({ chain, missing: undefined });
        at = next;
      }
    };
    expectInOrder([
      `weft-node-runner wf.node.execute.v1 process ${KIND.consumer}`,
      `weft-orchestrator wf.node.execute.v1 publish ${KIND.producer}`,
      `weft-orchestrator wf.run.start.v1 process ${KIND.server}`,
      `weft-gateway wf.run.start.v1 request ${KIND.client}`,
      `${roots[0]!.service} ${roots[0]!.name} ${KIND.server}`,
    ]);
    // The job span is the direct child of the publish, across the process boundary, and says what it consumed.
    const job = ancestry(spans.find(isOutbound)!).find((s) => s.name === 'wf.node.execute.v1 process')!;
    expect(byId(traceId).get(job.parentSpanId)).toMatchObject({ name: 'wf.node.execute.v1 publish', service: 'weft-orchestrator' });
    expect(job.attributes).toMatchObject({
      'messaging.destination.name': 'wf.node.execute.v1',
      'messaging.operation.type': 'process',
      'messaging.system': 'nats',
      'weft.bus.delivery_count': 1,
    });
    // The domain spans: one run span under the orchestrator's handling of the start, one span per node under it,
    // the node runner's job under the http node's span, the code execution under the code node's.
    const run = spans.filter((s) => s.name === 'weft.workflow.run');
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ kind: KIND.internal, service: 'weft-orchestrator' });
    expect(run[0]!.attributes).toMatchObject({
      'weft.run.id': res.body['workflow_run_id'],
      'weft.run.mode': 'workflow',
      'weft.run.resumed': false,
      'weft.run.status': 'succeeded',
    });
    expect(ancestry(run[0]!).map((s) => s.name)).toContain('wf.run.start.v1 process');
    const nodes = spans.filter((s) => s.name === 'weft.node.execute');
    expect(nodes.map((s) => s.attributes['weft.node.id']).sort()).toEqual(['code', 'end', 'http', 'start']);
    for (const n of nodes) {
      expect(n.attributes['weft.node.status']).toBe('succeeded');
      expect(ancestry(n)).toContain(run[0]);
    }
    expect(nodes.find((n) => n.attributes['weft.node.id'] === 'http')!.attributes['weft.node.type']).toBe('http-request');
    expect(ancestry(job).some((s) => s.name === 'weft.node.execute' && s.attributes['weft.node.id'] === 'http')).toBe(true);
    const code = spans.find((s) => s.name === 'weft.code.execute')!;
    expect(code.attributes).toMatchObject({ 'weft.code.language': 'javascript', 'weft.code.limit_hit': 'none' });
    expect(typeof code.attributes['weft.code.duration_ms']).toBe('number');
    expect(ancestry(code).some((s) => s.name === 'weft.node.execute' && s.attributes['weft.node.id'] === 'code')).toBe(true);
    // The database work of the run is in the trace too (pg instrumentation).
    expect(
      spans.some(
        (s) => s.service === 'weft-orchestrator' && /postgres/.test(String(s.attributes['db.system'] ?? s.attributes['db.system.name'])),
      ),
    ).toBe(true);
    // Query values never leave in a span: the outbound URL keeps the parameter's name only.
    expect(spans.find(isOutbound)!.attributes['url.full']).toBe(`${upstream.url}/ping/TRACE?api_key=REDACTED`);
    expect(receiver.spans.filter((s) => mentions(s, 'sk-in-the-query'))).toEqual([]);
    // Everything arrived in the OTLP JSON encoding at /v1/traces; the readiness probes the stack polled on start got no spans.
    expect(receiver.refused).toEqual([]);
    expect(receiver.spans.filter((s) => s.kind === KIND.server && (mentions(s, '/health') || mentions(s, '/ready')))).toEqual([]);

    // Logs of this run carry the same trace id, in the gateway and in the orchestrator.
    const logLines = (p: ServiceProcess) =>
      p
        .logs()
        .split('\n')
        .filter((line) => line.includes(`"trace_id":"${traceId}"`));
    await pollUntil(() => logLines(stack.gateway).length > 0 && logLines(stack.processes.orchestrator).length > 0, {
      what: 'log lines with the trace id',
    });
    const line = JSON.parse(logLines(stack.processes.orchestrator)[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ service: 'orchestrator', span_id: expect.stringMatching(/^[0-9a-f]{16}$/), trace_id: traceId });
    expect(spansOf(traceId).some((s) => s.spanId === line['span_id'])).toBe(true);
  });

  it('follows one streaming chat turn with an llm node to the model call, in one trace', async () => {
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: upstream.url, openai_api_key: 'sk-tracing-e2e' } },
      token,
    });
    expect(saved.status).toBe(200);
    const yaml = new DslBuilder('traced chat', 'advanced-chat')
      .node('start', 'start', { variables: [] })
      .node('llm', 'llm', {
        context: { enabled: false, variable_selector: [] },
        model: { completion_params: { temperature: 0 }, mode: 'chat', name: 'gpt-4o-mini', provider: 'langgenius/openai/openai' },
        prompt_template: [{ role: 'user', text: '{{#sys.query#}}' }],
        vision: { enabled: false },
      })
      .node('answer', 'answer', { answer: '{{#llm.text#}}' })
      .chain('start', 'llm', 'answer')
      .toYaml();
    const app = await client.deploy(token, yaml);
    const before = upstream.calls.length;
    const res = await fetch(`${stack.gateway.baseUrl}/v1/chat-messages`, {
      body: JSON.stringify({ inputs: {}, query: 'Is this traced?', response_mode: 'streaming', user: 'tracer' }),
      headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
      method: 'POST',
    });
    const { events } = await readSse(res);
    expect(events.map((e) => e['event'])).toContain('message_end');
    expect(
      events
        .filter((e) => e['event'] === 'message')
        .map((e) => e['answer'])
        .join(''),
    ).toBe('Traced answer.');

    const call = upstream.calls.slice(before).find((c) => c.path === '/v1/chat/completions')!;
    const traceId = traceIdOf(call.headers['traceparent'])!;
    expect(traceId).toBeDefined();
    const isModelCall = (s: ReceivedSpan) =>
      s.service === 'weft-node-runner' && s.kind === KIND.client && mentions(s, '/v1/chat/completions');
    const spans = await settledTrace(
      traceId,
      (list) =>
        list.some(isModelCall) && list.some((s) => s.service === 'weft-gateway') && list.some((s) => s.name === 'weft.workflow.run'),
    );
    expect([...new Set(spans.map((s) => s.service))]).toEqual(
      expect.arrayContaining(['weft-gateway', 'weft-orchestrator', 'weft-node-runner']),
    );
    const roots = rootOf(spans);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ kind: KIND.server, service: 'weft-gateway' });
    expect(mentions(roots[0]!, '/v1/chat-messages')).toBe(true);
    const chain = ancestry(spans.find(isModelCall)!);
    expect(chain.at(-1)).toBe(roots[0]);
    expect(chain.map((s) => s.service)).toEqual(expect.arrayContaining(['weft-node-runner', 'weft-orchestrator', 'weft-gateway']));
    expect(chain.find((s) => s.service === 'weft-node-runner' && s.kind === KIND.consumer)?.name).toBe('wf.node.execute.v1 process');
    // The model call's own span (GenAI conventions) is the HTTP call's parent; no prompt, answer or key on any span.
    const chat = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    expect(chat).toMatchObject({ kind: KIND.client, service: 'weft-node-runner' });
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
    });
    expect(typeof chat.attributes['gen_ai.usage.input_tokens']).toBe('number');
    expect(typeof chat.attributes['gen_ai.usage.output_tokens']).toBe('number');
    expect(byId(traceId).get(spans.find(isModelCall)!.parentSpanId)).toBe(chat);
    expect(ancestry(chat).some((s) => s.name === 'weft.node.execute' && s.attributes['weft.node.id'] === 'llm')).toBe(true);
    expect(spans.filter((s) => mentions(s, 'Is this traced?') || mentions(s, 'sk-tracing-e2e') || mentions(s, 'Traced answer.'))).toEqual(
      [],
    );
    expect(spans.find((s) => s.name === 'weft.workflow.run')!.attributes['weft.run.mode']).toBe('advanced-chat');
  });

  it('keeps the trace of a node job redelivered to another node runner after its runner is killed mid-job', async () => {
    const path = '/slow?hold=first&for=tracing';
    const app = await client.deploy(
      token,
      new DslBuilder('traced crash')
        .node('start', 'start', { variables: [] })
        .node('http', 'http-request', httpGetData(`${upstream.url}${path}`))
        .node('end', 'end', endData({ body: ['http', 'body'] }))
        .chain('start', 'http', 'end')
        .toYaml(),
    );
    const run = client.run(app.key, {}, 'tracer-crash');
    await pollUntil(() => upstream.calls.some((c) => c.path === path));
    const second = await stack.replica('node-runner');
    second.start();
    await second.waitReady();
    await stack.processes['node-runner'].stop('SIGKILL');
    expect((await run).body['data']).toMatchObject({ outputs: { body: 'slept' }, status: 'succeeded' });

    // Both attempts of the job (the killed runner's and the replica's) called out within the same trace.
    const calls = upstream.calls.filter((c) => c.path === path);
    expect(calls).toHaveLength(2);
    const traceId = traceIdOf(calls[0]!.headers['traceparent'])!;
    expect(traceId).toBeDefined();
    expect(traceIdOf(calls[1]!.headers['traceparent'])).toBe(traceId);

    // The replica's span of the redelivered job is the child of the orchestrator's one publish, under the run's HTTP request.
    const isRedelivered = (s: ReceivedSpan) =>
      s.name === 'wf.node.execute.v1 process' && Number(s.attributes['weft.bus.delivery_count']) >= 2;
    const spans = await settledTrace(traceId, (list) => list.some(isRedelivered) && list.some((s) => s.service === 'weft-gateway'));
    const redelivered = spans.find(isRedelivered)!;
    const publishes = spans.filter((s) => s.name === 'wf.node.execute.v1 publish');
    expect(publishes).toHaveLength(1);
    expect(redelivered.parentSpanId).toBe(publishes[0]!.spanId);
    expect(ancestry(redelivered).at(-1)).toMatchObject({ kind: KIND.server, parentSpanId: '', service: 'weft-gateway' });
    // One run and one http node span however many times its job was delivered.
    expect(spans.filter((s) => s.name === 'weft.workflow.run')).toHaveLength(1);
    expect(spans.filter((s) => s.name === 'weft.node.execute' && s.attributes['weft.node.id'] === 'http')).toHaveLength(1);

    stack.processes['node-runner'].start();
    await stack.processes['node-runner'].waitReady();
    await second.stop('SIGTERM');
  });

  /** Whether any service sent a span of the run: its run span, or any span of a trace that mentions it. */
  const spansOfRun = (runId: string) => receiver.spans.filter((s) => s.attributes['weft.run.id'] === runId);
  /** The orchestrator's and node runner's log lines that carry `traceId`. */
  const linesWithTrace = (p: ServiceProcess, traceId: string) =>
    p
      .logs()
      .split('\n')
      .filter((line) => line.includes(`"trace_id":"${traceId}"`));

  it('follows a caller that did not sample: no service records a span of its request, and each logs its trace id', async () => {
    const app = await client.deploy(token, codeThenHttpApp(upstream.url));
    const traceId = 'ab'.repeat(16);
    const res = await client.call('POST', '/v1/workflows/run', {
      body: { inputs: { x: 'quiet' }, response_mode: 'blocking', user: 'tracer' },
      headers: { traceparent: `00-${traceId}-${'cd'.repeat(8)}-00` },
      token: app.key,
    });
    expect((res.body['data'] as Record<string, unknown>)['outputs']).toEqual({ body: 'pong /ping/QUIET', result: 'QUIET' });
    // The decision reached the orchestrator and the node runner with the caller's trace id: they log it...
    await pollUntil(
      () =>
        linesWithTrace(stack.processes.orchestrator, traceId).length > 0 &&
        linesWithTrace(stack.processes['node-runner'], traceId).length > 0,
      { what: 'log lines of the unsampled trace in the orchestrator and the node runner' },
    );
    // ...and record nothing: no span of that trace, and no trace of their own for this run (a service that took
    // its own decision under the stack's parent-based always-on sampler would have sent a run span).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(spansOf(traceId)).toEqual([]);
    expect(spansOfRun(res.body['workflow_run_id'] as string)).toEqual([]);
  });

  it("samples new traces at the gateway's ratio, and the services behind it follow the gateway's decision", async () => {
    const app = await client.deploy(token, codeThenHttpApp(upstream.url));
    const withGatewaySampling = async (ratio: string) => {
      await stack.gateway.stop('SIGTERM');
      stack.gateway.start({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: ratio });
      await stack.gateway.waitReady();
    };
    try {
      // Ratio 0: the gateway drops every new trace, so nothing of the run is recorded anywhere.
      await withGatewaySampling('0');
      const dropped = await client.run(app.key, { x: 'none' }, 'tracer');
      expect(dropped.status).toBe(200);
      // Ratio 1: every new trace is sampled at the gateway, and the whole run is in it under the gateway's server span.
      await withGatewaySampling('1');
      const kept = await client.run(app.key, { x: 'all' }, 'tracer');
      const runId = kept.body['workflow_run_id'] as string;
      await pollUntil(() => spansOfRun(runId).length > 0, { timeoutMs: 20_000, what: 'the run span of the sampled run' });
      const traceId = spansOfRun(runId)[0]!.traceId;
      const spans = await settledTrace(traceId, (list) => list.some((s) => s.name === 'weft.code.execute'));
      expect(rootOf(spans)).toHaveLength(1);
      expect(rootOf(spans)[0]).toMatchObject({ kind: KIND.server, service: 'weft-gateway' });
      expect([...new Set(spans.map((s) => s.service))]).toEqual(
        expect.arrayContaining(['weft-gateway', 'weft-orchestrator', 'weft-node-runner']),
      );
      // Well after the sampled run's spans arrived: still nothing of the dropped one.
      expect(spansOfRun(dropped.body['workflow_run_id'] as string)).toEqual([]);
    } finally {
      await stack.gateway.stop('SIGTERM');
      stack.gateway.start();
      await stack.gateway.waitReady();
    }
  });

  it('refuses to start with OTLP over gRPC, saying so', async () => {
    // It stops before anything else starts: no database or bus is needed to see it.
    const rag = new ServiceProcess('rag', await freePort(), { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).start();
    expect(await rag.exited()).toEqual({ code: 1, signal: null });
    expect(rag.logs()).toContain('OTEL_EXPORTER_OTLP_PROTOCOL is invalid: grpc is not supported');
  });

  it('sends nothing and propagates nothing when no endpoint is set', async () => {
    const names = ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'] as const;
    await Promise.all(names.map((n) => stack.processes[n].stop('SIGTERM')));
    const posts = receiver.posts;
    // An empty value is unset: the default, tracing off.
    for (const n of names) stack.processes[n].start({ OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    await Promise.all(names.map((n) => stack.processes[n].waitReady()));
    const app = await client.deploy(token, codeThenHttpApp(upstream.url));
    const res = await client.run(app.key, { x: 'dark' }, 'tracer');
    expect((res.body['data'] as Record<string, unknown>)['outputs']).toEqual({ body: 'pong /ping/DARK', result: 'DARK' });
    const call = upstream.calls.find((c) => c.path.startsWith('/ping/DARK'))!;
    expect(call.headers['traceparent']).toBeUndefined();
    // Well past the 200 ms batch delay: nothing arrives.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.posts).toBe(posts);
    expect(stack.gateway.logs()).not.toContain('"trace_id"');
  });
});
