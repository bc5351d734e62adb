import { createServer, type Server, type ServerResponse } from 'node:http';
import {
  DslBuilder,
  endData,
  expectEventually,
  freePort,
  infraUrls,
  mailedCode,
  pollUntil,
  TcpProxy,
  TestStack,
  uniqueSuffix,
  WeftClient,
  type ServiceProcess,
  httpGetData,
} from '@weft/testing';

/** The slow upstream listens on 127.0.0.2, the one private address the stack's SSRF allow-list admits. */
const ALLOWED_HOST = '127.0.0.2';
const KEY_LIMIT = 10;
const ADDRESS_LIMIT = 15;
const CONSOLE_ORIGIN = 'https://console.example.com';

interface Answer {
  body: Record<string, unknown>;
  headers: Headers;
  status: number;
}

/** An upstream that holds every request to /hold until the test lets it go, so a run stays in progress for as long as the test needs. */
async function startHoldingUpstream(): Promise<{
  held: ServerResponse[];
  holding: { on: boolean };
  release(): void;
  server: Server;
  url: string;
}> {
  const held: ServerResponse[] = [];
  const holding = { on: true };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (holding.on) held.push(res);
      else res.end('done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, ALLOWED_HOST, resolve));
  const { port } = server.address() as { port: number };
  return {
    held,
    holding,
    release: () => {
      for (const res of held.splice(0)) res.end('done');
    },
    server,
    url: `http://${ALLOWED_HOST}:${port}`,
  };
}

/** Sign-ups and password checks one address may make per minute (a few more than this file's own logins). */
const SENSITIVE_LIMIT = 8;
/** Console requests one account may make per minute. */
const CONSOLE_ACCOUNT_LIMIT = 60;

let addressCounter = 0;
/** A distinct client address for each use, sent in X-Forwarded-For (the stack trusts its loopback proxy). */
function nextAddress(): string {
  addressCounter += 1;
  return `198.18.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

async function send(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; address?: string; headers?: Record<string, string>; key?: string; rawBody?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers['authorization'] = `Bearer ${opts.key}`;
  if (opts.address) headers['x-forwarded-for'] = opts.address;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    headers,
    method,
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { raw: text };
  }
  return { body, headers: res.headers, status: res.status };
}

function expectRateLimited(answer: Answer, message: RegExp): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual({ code: 'too_many_requests', message: expect.stringMatching(message), status: 429 });
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

/** The value of a counter with these labels in a Prometheus exposition, 0 when absent. */
async function counter(base: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const minimalApp = (name: string) =>
  new DslBuilder(name).node('start', 'start', { variables: [] }).node('end', 'end', endData({})).chain('start', 'end').toYaml();

describe('protection: rate limits, active runs, CORS, security headers, JSON bodies, timeouts', () => {
  let stack: TestStack;
  let gateways: ServiceProcess[];
  /** A third gateway: short request timeout, no trusted proxy, and its Redis behind a proxy the test can cut. */
  let edge: ServiceProcess;
  let redisProxy: TcpProxy;
  let client: WeftClient;
  let token: string;
  let upstream: Awaited<ReturnType<typeof startHoldingUpstream>>;

  beforeAll(async () => {
    upstream = await startHoldingUpstream();
    stack = await TestStack.create({
      env: {
        CONSOLE_CORS_ALLOW_ORIGINS: CONSOLE_ORIGIN,
        RATE_LIMIT_PER_IP_PER_MINUTE: String(ADDRESS_LIMIT),
        RATE_LIMIT_PER_MINUTE: String(KEY_LIMIT),
        CONSOLE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: String(CONSOLE_ACCOUNT_LIMIT),
        CONSOLE_SENSITIVE_RATE_LIMIT_PER_IP_PER_MINUTE: String(SENSITIVE_LIMIT),
        PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST,
        SSRF_ALLOWED_HOSTS: ALLOWED_HOST,
        TRUST_PROXY: 'loopback',
      },
    });
    redisProxy = TcpProxy.forUrl(await freePort(), infraUrls().redisUrl);
    await redisProxy.up();
    const second = await stack.replica('gateway');
    edge = await stack.replica('gateway', {
      REDIS_URL: redisProxy.rewrite(infraUrls().redisUrl),
      REQUEST_TIMEOUT_MS: '300',
      SYSTEM_STATUS_TIMEOUT_MS: '5000',
      TRUST_PROXY: 'false',
    });
    // No rag service: /v1/system/status then waits its whole timeout for an answer from it, a genuinely slow route.
    await stack.start(['gateway', 'orchestrator', 'node-runner', 'compliance']);
    second.start();
    edge.start();
    await Promise.all([second.waitReady(), edge.waitReady()]);
    gateways = [stack.gateway, second];
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
  });

  afterAll(async () => {
    upstream?.release();
    await stack?.destroy();
    await redisProxy?.down();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  it('lets through at most the per-key limit of a concurrent burst across two replicas, and answers the rest 429 with Retry-After', async () => {
    const { key } = await client.deploy(token, minimalApp('burst'));
    const before = (
      await Promise.all(gateways.map((g) => counter(g.baseUrl, 'weft_rate_limit_rejections_total', 'limit="api_key"')))
    ).reduce((a, b) => a + b, 0);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(gateways[i % 2]!.baseUrl, 'GET', '/v1/info', { address: nextAddress(), key })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(KEY_LIMIT);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(40 - KEY_LIMIT);
    for (const answer of refused) expectRateLimited(answer, /10 requests per minute for this API key/);
    // The count is shared: each replica now refuses the key, whichever admitted the requests.
    for (const g of gateways) expectRateLimited(await send(g.baseUrl, 'GET', '/v1/info', { address: nextAddress(), key }), /API key/);
    const after = (
      await Promise.all(gateways.map((g) => counter(g.baseUrl, 'weft_rate_limit_rejections_total', 'limit="api_key"')))
    ).reduce((a, b) => a + b, 0);
    expect(after - before).toBe(40 - KEY_LIMIT + 2);
  });

  it('limits one client address across keys and replicas', async () => {
    const app = await client.deploy(token, minimalApp('address'));
    const keys = [app.key];
    for (let i = 0; i < 2; i++)
      keys.push((await client.call<{ token: string }>('POST', `/console/api/apps/${app.appId}/api-keys`, { token })).body.token);
    const address = nextAddress();
    // 21 requests over three keys (7 each, under the key limit) from one address.
    const answers = await Promise.all(
      Array.from({ length: 21 }, (_, i) => send(gateways[i % 2]!.baseUrl, 'GET', '/v1/info', { address, key: keys[i % 3] })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(ADDRESS_LIMIT);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(21 - ADDRESS_LIMIT);
    for (const answer of refused) expectRateLimited(answer, /15 requests per minute from this address/);
    // Another address with the same keys still gets through.
    expect((await send(gateways[0]!.baseUrl, 'GET', '/v1/info', { address: nextAddress(), key: keys[0] })).status).toBe(200);
  });

  it('counts made-up and missing keys against the client address too, so guessing keys is limited', async () => {
    const address = nextAddress();
    const guesses = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        send(gateways[i % 2]!.baseUrl, 'GET', i % 7 === 0 ? '/v1/datasets' : '/v1/info', {
          address,
          key: i % 5 === 0 ? undefined : `app-guess-${i}`,
        }),
      ),
    );
    expect(guesses.filter((a) => a.status === 401)).toHaveLength(ADDRESS_LIMIT);
    const refused = guesses.filter((a) => a.status !== 401);
    expect(refused).toHaveLength(21 - ADDRESS_LIMIT);
    for (const answer of refused) expectRateLimited(answer, /15 requests per minute from this address/);
    // The address is spent for real keys as well; another address is not.
    const app = await client.deploy(token, minimalApp('guessing'));
    expectRateLimited(await send(gateways[0]!.baseUrl, 'GET', '/v1/info', { address, key: app.key }), /from this address/);
    expect((await send(gateways[1]!.baseUrl, 'GET', '/v1/info', { address: nextAddress(), key: app.key })).status).toBe(200);
  });

  it("sets an app's own rate limit in the console, and the Service API applies it on every replica", async () => {
    const app = await client.deploy(token, minimalApp('per app'));
    const path = `/console/api/apps/${app.appId}/rate-limit`;
    const initial = await client.call('GET', path, { token });
    expect(initial).toMatchObject({
      status: 200,
      body: {
        app_id: app.appId,
        effective_max_active_requests: 0,
        effective_requests_per_minute: KEY_LIMIT,
        max_active_requests: null,
        requests_per_minute: null,
      },
    });
    const set = await client.call('PUT', path, { body: { max_active_requests: null, requests_per_minute: 3 }, token });
    expect(set).toMatchObject({
      status: 200,
      body: { app_id: app.appId, effective_requests_per_minute: 3, max_active_requests: null, requests_per_minute: 3 },
    });
    expect((await client.call('GET', path, { token })).body).toMatchObject({ effective_requests_per_minute: 3, requests_per_minute: 3 });

    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(gateways[i % 2]!.baseUrl, 'GET', '/v1/parameters', { address: nextAddress(), key: app.key }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    for (const answer of answers.filter((a) => a.status !== 200)) expectRateLimited(answer, /3 requests per minute for this API key/);

    const bad = await client.call('PUT', path, { body: { max_active_requests: -1, requests_per_minute: 0 }, token });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_param', status: 400 } });
    expect(String(bad.body['message'])).toMatch(/requests_per_minute/);
    expect(String(bad.body['message'])).toMatch(/max_active_requests/);
    expect((await client.call('PUT', path, { body: { requests_per_minute: 5 }, token })).status).toBe(400);
    expect((await client.call('PUT', path, { body: { max_active_requests: null, requests_per_minute: 5 } })).status).toBe(401);
    const stranger = await client.register();
    expect(await client.call('GET', path, { token: stranger })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(
      await client.call('PUT', path, { body: { max_active_requests: null, requests_per_minute: 500 }, token: stranger }),
    ).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect((await client.call('GET', '/console/api/apps/not-a-uuid/rate-limit', { token })).status).toBe(404);
    // The stranger's attempt changed nothing.
    expect((await client.call('GET', path, { token })).body).toMatchObject({ requests_per_minute: 3 });
  });

  it('refuses a run with too_many_requests while the app has its maximum in progress, and frees the slot when the run ends or its client goes away', async () => {
    const yaml = new DslBuilder('held')
      .node('start', 'start', { variables: [] })
      .node('http', 'http-request', httpGetData(`${upstream.url}/hold`))
      .node('end', 'end', endData({ body: ['http', 'body'] }))
      .chain('start', 'http', 'end')
      .toYaml();
    const app = await client.deploy(token, yaml);
    const set = await client.call('PUT', `/console/api/apps/${app.appId}/rate-limit`, {
      body: { max_active_requests: 1, requests_per_minute: 1000 },
      token,
    });
    expect(set.body).toMatchObject({ effective_max_active_requests: 1, max_active_requests: 1 });
    const run = (g: ServiceProcess, mode: 'blocking' | 'streaming', signal?: AbortSignal) =>
      fetch(`${g.baseUrl}/v1/workflows/run`, {
        body: JSON.stringify({ inputs: {}, response_mode: mode, user: 'slot-tester' }),
        headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json', 'x-forwarded-for': nextAddress() },
        method: 'POST',
        signal,
      });
    const tooMany = async (res: Response) => {
      expect(res.status).toBe(429);
      expect(await res.json()).toEqual({ code: 'too_many_requests', message: 'Too many requests. Please try again later.', status: 429 });
    };

    // A blocking run holds the app's one slot while it waits on the upstream.
    upstream.holding.on = true;
    const first = run(gateways[0]!, 'blocking');
    await pollUntil(() => upstream.held.length === 1, { what: 'the first run to reach the upstream' });
    await tooMany(await run(gateways[1]!, 'blocking'));
    await tooMany(await run(gateways[0]!, 'streaming'));
    upstream.release();
    const finished = await first;
    expect(finished.status).toBe(200);
    expect(((await finished.json()) as { data: { status: string } }).data.status).toBe('succeeded');
    // Its slot is free again once its answer was sent.
    upstream.holding.on = false;
    await expectEventually(async () => {
      const next = await run(gateways[1]!, 'blocking');
      expect(next.status).toBe(200);
      await next.text();
    });

    // A streaming run holds the slot until its client disconnects.
    upstream.holding.on = true;
    const controller = new AbortController();
    // The previous run's slot is released just after its answer went out (one more Redis call), so the
    // client may be a moment ahead of it: retry until the slot is free.
    let stream!: Response;
    await expectEventually(async () => {
      stream = await run(gateways[0]!, 'streaming', controller.signal);
      if (stream.status !== 200) await stream.text();
      expect(stream.status).toBe(200);
    });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    await pollUntil(() => upstream.held.length === 1, { what: 'the streaming run to reach the upstream' });
    await tooMany(await run(gateways[1]!, 'blocking'));
    upstream.holding.on = false;
    controller.abort();
    await expectEventually(async () => {
      const next = await run(gateways[1]!, 'blocking');
      expect(next.status).toBe(200);
      await next.text();
    });
    upstream.release();
  });

  it('limits sign-up and password routes per address, and every console route per account across addresses', async () => {
    // One address signing up again and again: the first SENSITIVE_LIMIT pass, the next is refused until the window moves.
    const address = nextAddress();
    const signUps: number[] = [];
    for (let i = 0; i <= SENSITIVE_LIMIT; i++) {
      const email = `flood-${uniqueSuffix()}-${i}@example.com`;
      const res = await send(stack.gateway.baseUrl, 'POST', '/console/api/register', {
        address,
        body: { email, name: 'Flood', password: 'Correct-Horse-9!' },
      });
      signUps.push(res.status);
      if (i === SENSITIVE_LIMIT) {
        expect(res.body).toMatchObject({ code: 'too_many_requests', status: 429 });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    // 202: each sign-up waits for the code mailed to its address (the stack's first account was made in beforeAll).
    expect(signUps).toEqual([...Array<number>(SENSITIVE_LIMIT).fill(202), 429]);
    // Password guessing from that address is refused too; another address still signs up.
    const guess = await send(stack.gateway.baseUrl, 'POST', '/console/api/login', {
      address,
      body: { email: 'x@example.com', password: 'guess' },
    });
    expect(guess.status).toBe(429);
    const calm = `calm-${uniqueSuffix()}@example.com`;
    const elsewhere = await send(stack.gateway.baseUrl, 'POST', '/console/api/register', {
      address: nextAddress(),
      body: { email: calm, name: 'Calm', password: 'Correct-Horse-9!' },
    });
    expect(elsewhere.status).toBe(202);
    const code = mailedCode(await stack.mail!.nextMail(calm, 0));
    const checked = await send(stack.gateway.baseUrl, 'POST', '/console/api/email-register/validity', {
      address: nextAddress(),
      body: { code, email: calm, token: elsewhere.body['data'] },
    });
    const signedUp = await send(stack.gateway.baseUrl, 'POST', '/console/api/email-register', {
      address: nextAddress(),
      body: { token: checked.body['token'] },
    });
    expect(signedUp.status).toBe(200);

    // One account spread over many addresses still stops at its own limit.
    const reader = (signedUp.body['data'] as { access_token: string }).access_token;
    const reads: number[] = [];
    for (let i = 0; i <= CONSOLE_ACCOUNT_LIMIT; i++) {
      const res = await send(stack.gateway.baseUrl, 'GET', '/console/api/apps', {
        address: nextAddress(),
        headers: { authorization: `Bearer ${reader}` },
      });
      reads.push(res.status);
    }
    expect(reads.slice(0, CONSOLE_ACCOUNT_LIMIT).every((status) => status === 200)).toBe(true);
    expect(reads.at(-1)).toBe(429);
    // Another account is not slowed down by it.
    expect((await send(stack.gateway.baseUrl, 'GET', '/console/api/apps', { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
  });

  it('answers CORS preflights for allowed origins and refuses others', async () => {
    const preflight = (path: string, origin: string) =>
      fetch(`${stack.gateway.baseUrl}${path}`, {
        headers: { 'access-control-request-headers': 'authorization,content-type', 'access-control-request-method': 'POST', origin },
        method: 'OPTIONS',
      });
    const consoleOk = await preflight('/console/api/apps/imports', CONSOLE_ORIGIN);
    expect(consoleOk.status).toBe(204);
    expect(consoleOk.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(consoleOk.headers.get('access-control-allow-credentials')).toBe('true');
    expect(consoleOk.headers.get('access-control-allow-methods')).toContain('POST');
    expect(consoleOk.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(consoleOk.headers.get('vary')).toMatch(/origin/i);

    const consoleRefused = await preflight('/console/api/apps/imports', 'https://evil.example.com');
    expect(consoleRefused.status).toBe(403);
    expect(consoleRefused.headers.get('access-control-allow-origin')).toBeNull();
    expect(await consoleRefused.json()).toMatchObject({ code: 'forbidden', status: 403 });

    // The Service API allows any origin (Dify's default), without credentials.
    const webApi = await preflight('/v1/workflows/run', 'https://any-site.example');
    expect(webApi.status).toBe(204);
    expect(webApi.headers.get('access-control-allow-origin')).toBe('*');
    expect(webApi.headers.get('access-control-allow-credentials')).toBeNull();

    // A simple request from a refused origin gets its answer without CORS headers (the browser withholds it).
    const simple = await fetch(`${stack.gateway.baseUrl}/console/api/apps`, {
      headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example.com' },
    });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await fetch(`${stack.gateway.baseUrl}/console/api/apps`, {
      headers: { authorization: `Bearer ${token}`, origin: CONSOLE_ORIGIN },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('sends the security headers on Service API and console answers, errors included, and a looser CSP only for the docs pages', async () => {
    const { key } = await client.deploy(token, minimalApp('headers'));
    const answers = [
      await fetch(`${stack.gateway.baseUrl}/v1/info`, { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': nextAddress() } }),
      await fetch(`${stack.gateway.baseUrl}/v1/info`, { headers: { 'x-forwarded-for': nextAddress() } }),
      await fetch(`${stack.gateway.baseUrl}/console/api/apps`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${stack.gateway.baseUrl}/console/api/login`, {
        body: '{not json',
        headers: { 'content-type': 'application/json' },
        method: 'POST',
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 200, 400]);
    for (const res of answers) {
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-powered-by')).toBeNull();
      // No body hash per answer: API answers are not revalidated by ETag (Dify sends none either).
      expect(res.headers.get('etag')).toBeNull();
    }
    const docs = await fetch(`${stack.gateway.baseUrl}/docs`);
    expect(docs.headers.get('content-security-policy')).toBe(
      "default-src 'self';frame-ancestors 'none';img-src 'self' data:;script-src 'self';style-src 'self' 'unsafe-inline'",
    );
    expect(docs.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers 415 to a body that is not JSON on a JSON route, but lets upload routes take their multipart forms', async () => {
    const { key } = await client.deploy(token, minimalApp('json only'));
    const asText = await send(stack.gateway.baseUrl, 'POST', '/v1/workflows/run', {
      address: nextAddress(),
      headers: { 'content-type': 'text/plain' },
      key,
      rawBody: '{"inputs":{},"user":"u"}',
    });
    expect(asText).toMatchObject({ status: 415, body: { code: 'unsupported_media_type', status: 415 } });
    const asForm = await send(stack.gateway.baseUrl, 'POST', '/console/api/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: 'email=a%40b.c&password=x',
    });
    expect(asForm).toMatchObject({ status: 415, body: { code: 'unsupported_media_type', status: 415 } });
    const noType = await send(stack.gateway.baseUrl, 'PUT', '/console/api/apps/00000000-0000-4000-8000-000000000000/rate-limit', {
      rawBody: '{"requests_per_minute":1,"max_active_requests":null}',
    });
    expect(noType.status).toBe(415);
    // An empty POST needs no Content-Type, and JSON with a charset is JSON.
    const charset = await send(stack.gateway.baseUrl, 'POST', '/v1/workflows/run', {
      address: nextAddress(),
      headers: { 'content-type': 'application/json; charset=utf-8' },
      key,
      rawBody: JSON.stringify({ inputs: {}, response_mode: 'blocking', user: 'u' }),
    });
    expect(charset.status).toBe(200);
    const form = new FormData();
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
    form.append('user', 'u');
    const upload = await fetch(`${stack.gateway.baseUrl}/v1/files/upload`, {
      body: form,
      headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': nextAddress() },
      method: 'POST',
    });
    expect(upload.status).toBe(201);
  });

  it('answers 504 in Dify’s error shape when a route takes longer than REQUEST_TIMEOUT_MS', async () => {
    const started = Date.now();
    const res = await send(edge.baseUrl, 'GET', '/v1/system/status');
    expect(res).toMatchObject({ status: 504, body: { code: 'timeout', message: expect.stringMatching(/300 ms/), status: 504 } });
    expect(Date.now() - started).toBeLessThan(4000);
    // The same route answers in time where it is fast enough, and run routes are not cut at 300 ms.
    upstream.holding.on = true;
    const app = await client.deploy(
      token,
      new DslBuilder('slow run')
        .node('start', 'start', { variables: [] })
        .node('http', 'http-request', httpGetData(`${upstream.url}/hold`))
        .node('end', 'end', endData({ body: ['http', 'body'] }))
        .chain('start', 'http', 'end')
        .toYaml(),
    );
    const slowRun = send(edge.baseUrl, 'POST', '/v1/workflows/run', {
      body: { inputs: {}, response_mode: 'blocking', user: 'u' },
      key: app.key,
    });
    await pollUntil(() => upstream.held.length === 1, { what: 'the run to reach the upstream' });
    // The point is elapsed time: the run must outlast the 300 ms timeout before it may finish.
    await new Promise((resolve) => setTimeout(resolve, 700));
    upstream.release();
    upstream.holding.on = false;
    expect((await slowRun).status).toBe(200);
  });

  it('ignores X-Forwarded-For without a trusted proxy: every request counts against the socket address', async () => {
    const apps = [await client.deploy(token, minimalApp('xff a')), await client.deploy(token, minimalApp('xff b'))];
    // One after the other: this edge cuts every request at 300 ms (REQUEST_TIMEOUT_MS), which a burst of 20 on a
    // loaded machine can reach, and the limit counts per minute whatever the pace.
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++)
      answers.push(await send(edge.baseUrl, 'GET', '/v1/info', { address: nextAddress(), key: apps[i % 2]!.key }));
    // Two keys allow 20, distinct forwarded addresses would allow all; the one real address allows at most 15.
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(ADDRESS_LIMIT);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.length).toBeGreaterThanOrEqual(20 - ADDRESS_LIMIT);
    for (const answer of refused) expectRateLimited(answer, /from this address/);
  });

  it('lets requests through unchecked while Redis is unreachable, and counts them (fails open)', async () => {
    const { key } = await client.deploy(token, minimalApp('redis down'));
    await redisProxy.down();
    const before = await counter(edge.baseUrl, 'weft_rate_limit_unavailable_total');
    const answers = await Promise.all(Array.from({ length: KEY_LIMIT + 5 }, () => send(edge.baseUrl, 'GET', '/v1/info', { key })));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: KEY_LIMIT + 5 }, () => 200));
    expect((await counter(edge.baseUrl, 'weft_rate_limit_unavailable_total')) - before).toBe(KEY_LIMIT + 5);
    await redisProxy.up();
  });
});
