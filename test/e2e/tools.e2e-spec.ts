import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DslBuilder, startTestHttpServer, TestStack, WeftClient, type RecordedRequest, type TestHttpServer } from '@weft/testing';

// Tool nodes through the public API (issue 17): a Dify 1.x export chaining built-in and plugin tools is
// imported and run; a tool that needs an account fails with provider_not_initialize until an admin sets
// its credentials (sealed, per workspace); webscraper goes through the SSRF guard.

const STACK_START_TIMEOUT_MS = 120_000;
const STACK_STOP_TIMEOUT_MS = 60_000;
const TAVILY_KEY = 'tvly-e2e-0123456789abcdef';
const TOOLS_APP = readFileSync(join(__dirname, 'fixtures', 'dify-tools-workflow.yml'), 'utf8');
const CREDENTIALS_ROUTE = '/console/api/workspaces/current/tool-provider/builtin/langgenius/tavily/tavily/update';

const runData = (res: { body: Record<string, unknown> }) => res.body['data'] as Record<string, unknown>;
const outputs = (res: { body: Record<string, unknown> }) => runData(res)['outputs'] as Record<string, unknown>;

/** A workflow with one tool node reading `start.url`, answering the node's text. */
function oneToolApp(name: string, tool: Record<string, unknown>): string {
  return new DslBuilder(name)
    .node('start', 'start', { variables: [{ label: 'url', max_length: 2000, required: false, type: 'text-input', variable: 'url' }] })
    .node('tool', 'tool', { tool_configurations: {}, ...tool })
    .node('end', 'end', { outputs: [{ value_selector: ['tool', 'text'], variable: 'text' }] })
    .chain('start', 'tool', 'end')
    .toYaml();
}

describe('tool nodes', () => {
  let stack: TestStack;
  let tavily: TestHttpServer;
  let site: TestHttpServer;
  const searches: RecordedRequest[] = [];
  let client: WeftClient;
  let admin: string;
  let adminWorkspace: string;
  let app: { appId: string; key: string };

  beforeAll(async () => {
    tavily = await startTestHttpServer((req, res) => {
      searches.push(req);
      if (req.headers.authorization !== `Bearer ${TAVILY_KEY}`) {
        res
          .writeHead(401, { 'Content-Type': 'application/json' })
          .end('{"detail": {"error": "Unauthorized: missing or invalid API key."}}');
        return;
      }
      const body = JSON.parse(req.body.toString()) as { query: string; max_results: number };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          answer: `Looms are busy (${body.query}).`,
          images: [],
          query: body.query,
          response_time: 0.4,
          results: Array.from({ length: body.max_results }, (_, i) => ({
            content: `Story ${i + 1} about looms.`,
            raw_content: null,
            score: 0.9 - i / 10,
            title: `Loom news ${i + 1}`,
            url: `https://news.example/${i + 1}`,
          })),
        }),
      );
    });
    site = await startTestHttpServer((_req, res) => {
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end('<html><head><title>Weaving 101</title></head><body><p>Warp and weft.</p><script>alert(1)</script></body></html>');
    });
    stack = await TestStack.create({ env: { SSRF_ALLOWED_HOSTS: '127.0.0.1', TOOL_TAVILY_BASE_URL: tavily.url } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    const signedUp = await client.signUp();
    admin = signedUp.access_token;
    adminWorkspace = signedUp.workspace_id;
    app = await client.deploy(admin, TOOLS_APP);
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.destroy();
    await tavily?.close();
    await site?.close();
  }, STACK_STOP_TIMEOUT_MS);

  const inputs = { doc: '{"count": 41, "name": "Zoë"}', field: 'count', topic: 'weaving' };

  it('imports the Dify export with no warning about its tools: every tool it uses is provided', async () => {
    const imported = await client.importApp(admin, TOOLS_APP);
    expect(imported.status).toBe(200);
    expect(imported.body.app_id).toEqual(expect.any(String));
    expect(JSON.stringify(imported.body)).not.toMatch(/tool node|does not provide|no such tool/);
  });

  it('fails the search node with provider_not_initialize until the workspace has Tavily credentials', async () => {
    const res = await client.run(app.key, inputs);
    expect(res.status).toBe(200);
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toContain('provider_not_initialize');
    expect(String(runData(res)['error'])).toContain('tool-provider/builtin/tavily/update');
    expect(searches).toHaveLength(0);
  });

  it('refuses bad credential updates: unknown provider, missing or unknown fields, a provider without credentials, a normal member', async () => {
    const bad = [
      ['/console/api/workspaces/current/tool-provider/builtin/nonexistent/update', { credentials: { k: 'v' } }, 404],
      [CREDENTIALS_ROUTE, { credentials: {} }, 400],
      [CREDENTIALS_ROUTE, { credentials: { tavily_api_key: TAVILY_KEY, extra: 'x' } }, 400],
      [CREDENTIALS_ROUTE, { credentials: { tavily_api_key: 42 } }, 400],
      [CREDENTIALS_ROUTE, { credentials: 'tavily_api_key' }, 400],
      ['/console/api/workspaces/current/tool-provider/builtin/time/update', { credentials: { key: 'x' } }, 400],
    ] as const;
    for (const [path, body, status] of bad) {
      const res = await client.call('POST', path, { body, token: admin });
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body).toMatchObject({ code: expect.any(String), message: expect.any(String), status });
    }
    const member = await client.signUp();
    await client.inviteAndAccept(admin, member.email, member.access_token, 'normal');
    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: adminWorkspace },
      token: member.access_token,
    });
    const memberToken = switched.body.access_token;
    const refused = await client.call('POST', CREDENTIALS_ROUTE, {
      body: { credentials: { tavily_api_key: 'stolen' } },
      token: memberToken,
    });
    expect(refused.status).toBe(403);
    const anonymous = await client.call('POST', CREDENTIALS_ROUTE, { body: { credentials: { tavily_api_key: 'x' } } });
    expect(anonymous.status).toBe(401);
  });

  it('runs every tool of the export once an admin has set the credentials, which are never shown back', async () => {
    const saved = await client.call('POST', CREDENTIALS_ROUTE, { body: { credentials: { tavily_api_key: TAVILY_KEY } }, token: admin });
    expect(saved).toMatchObject({ body: { result: 'success' }, status: 200 });

    const res = await client.run(app.key, inputs);
    expect(runData(res)).toMatchObject({ status: 'succeeded' });
    const out = outputs(res);
    const tokyoYear = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Tokyo', year: 'numeric' }).format(new Date());
    expect(out['year']).toBe(tokyoYear);
    expect(out['value']).toBe('41');
    expect(out['sum']).toBe('42');
    expect(String(out['search'])).toContain('**Answer:** Looms are busy (news about weaving).');
    expect(String(out['search'])).toContain('### Result 2: [Loom news 2](https://news.example/2)');
    expect(out['search_json']).toEqual([expect.objectContaining({ query: 'news about weaving' })]);
    const sent = JSON.parse(searches.at(-1)!.body.toString()) as Record<string, unknown>;
    expect(sent).toMatchObject({ include_answer: true, max_results: 2, query: 'news about weaving', search_depth: 'advanced' });
    expect(searches.at(-1)!.headers.authorization).toBe(`Bearer ${TAVILY_KEY}`);

    const shown = await client.call<Record<string, string>>(
      'GET',
      '/console/api/workspaces/current/tool-provider/builtin/tavily/credentials',
      {
        token: admin,
      },
    );
    expect(shown.status).toBe(200);
    expect(shown.body['tavily_api_key']).toMatch(/^tvly-e\*+ef$/);
    expect(JSON.stringify(shown.body)).not.toContain(TAVILY_KEY);
    const providers = await client.call<{ name: string; is_team_authorization: boolean }[]>(
      'GET',
      '/console/api/workspaces/current/tool-providers',
      {
        token: admin,
      },
    );
    expect(providers.body.find((p) => p.name === 'tavily')).toMatchObject({ is_team_authorization: true });
  });

  it("never lends one workspace's tool credentials to another", async () => {
    const other = await client.register();
    const theirs = await client.deploy(other, TOOLS_APP);
    const before = searches.length;
    const res = await client.run(theirs.key, inputs);
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toContain('provider_not_initialize');
    expect(searches).toHaveLength(before);
    const shown = await client.call<Record<string, string>>(
      'GET',
      '/console/api/workspaces/current/tool-provider/builtin/tavily/credentials',
      {
        token: other,
      },
    );
    expect(shown.body).toEqual({});
  });

  it('streams the tool node runs with their inputs and the tool each called, never the key', async () => {
    const streamed = await client.stream(app.key, inputs);
    expect(streamed.status).toBe(200);
    const finished = streamed.events.filter((e) => e['event'] === 'node_finished').map((e) => e['data'] as Record<string, unknown>);
    const search = finished.find((node) => node['title'] === 'Tavily Search');
    expect(search).toMatchObject({
      execution_metadata: expect.objectContaining({
        tool_info: { provider_id: 'langgenius/tavily/tavily', provider_type: 'builtin', tool_name: 'tavily_search' },
      }),
      inputs: expect.objectContaining({ query: 'news about weaving' }),
      node_type: 'tool',
      status: 'succeeded',
    });
    expect(JSON.stringify(streamed.events)).not.toContain(TAVILY_KEY);
  });

  it('fails again once the credentials are deleted', async () => {
    const deleted = await client.call('POST', '/console/api/workspaces/current/tool-provider/builtin/tavily/delete', { token: admin });
    expect(deleted).toMatchObject({ body: { result: 'success' }, status: 200 });
    const again = await client.call('POST', '/console/api/workspaces/current/tool-provider/builtin/tavily/delete', { token: admin });
    expect(again.status).toBe(404);
    const res = await client.run(app.key, inputs);
    expect(String(runData(res)['error'])).toContain('provider_not_initialize');
  });

  it('imports a tool Weft does not provide with a warning naming it, and fails that node when run', async () => {
    const yaml = oneToolApp('google', {
      provider_id: 'langgenius/google/google',
      provider_type: 'builtin',
      tool_name: 'google_search',
      tool_parameters: {},
    });
    const imported = await client.importApp(admin, yaml);
    expect(imported.body).toMatchObject({ status: 'completed-with-warnings' });
    expect(JSON.stringify(imported.body)).toContain(
      'uses the tool \\"google_search\\" of provider \\"langgenius/google/google\\", which Weft does not provide',
    );
    const deployed = await client.deploy(admin, yaml);
    const res = await client.run(deployed.key, {});
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toContain('builtin provider langgenius/google/google not found');
  });

  it('scrapes a page through the SSRF guard and is refused the cloud metadata address', async () => {
    const deployed = await client.deploy(
      admin,
      oneToolApp('scraper', {
        provider_id: 'webscraper',
        provider_type: 'builtin',
        tool_name: 'webscraper',
        tool_parameters: { url: { type: 'mixed', value: '{{#start.url#}}' } },
      }),
    );
    const page = await client.run(deployed.key, { url: `${site.url}/page` });
    expect(runData(page)).toMatchObject({ status: 'succeeded' });
    expect(String(outputs(page)['text'])).toContain('TITLE: Weaving 101');
    expect(String(outputs(page)['text'])).toContain('Warp and weft.');
    expect(String(outputs(page)['text'])).not.toContain('alert(1)');
    const metadata = await client.run(deployed.key, { url: 'http://169.254.169.254/latest/meta-data/' });
    expect(runData(metadata)).toMatchObject({ status: 'failed' });
    expect(String(runData(metadata)['error'])).toMatch(/Failed to invoke tool: .*(link-local|private|not allowed|blocked)/i);
  });
});
