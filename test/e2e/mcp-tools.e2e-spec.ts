import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DslBuilder,
  endData,
  expectEventually,
  queryDatabase,
  startTestMcpServer,
  TestStack,
  textInput,
  WeftClient,
  type SignedUp,
  type TestMcpServer,
} from '@weft/testing';

// Starting five services (and stopping them) takes longer than Jest's default hook timeout on a busy machine.
const STACK_START_TIMEOUT_MS = 120_000;
const STACK_STOP_TIMEOUT_MS = 60_000;

const MCP = '/console/api/workspaces/current/tool-provider/mcp';
const LIST = '/console/api/workspaces/current/tools/mcp';
const SECRET = 'Bearer sesame-open-4711';
const WEATHER_EXPORT = readFileSync(join(__dirname, 'fixtures/dify-mcp-weather.yml'), 'utf8');

interface McpProvider {
  configuration: { sse_read_timeout: number; timeout: number };
  id: string;
  is_team_authorization: boolean;
  masked_headers?: Record<string, string>;
  name: string;
  server_identifier: string;
  server_url: string;
  tools: { name: string; output_schema: Record<string, unknown>; parameters: Record<string, unknown>[] }[];
  type: string;
}

/** A Dify-shaped add request for the server at `url`. */
function addBody(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    icon: '🌦',
    icon_background: '#E0F2FE',
    icon_type: 'emoji',
    name: 'Weather',
    server_identifier: 'weather',
    server_url: url,
    ...extra,
  };
}

/** A workflow app with one MCP tool node: start(text) → tool → end(text, json). */
function oneToolApp(provider: string, tool: string, parameters: Record<string, unknown>): string {
  return new DslBuilder(`mcp ${tool}`)
    .node('start', 'start', { variables: [textInput('text', { required: false })] })
    .node('tool', 'tool', {
      provider_id: provider,
      provider_name: provider,
      provider_type: 'mcp',
      tool_configurations: {},
      tool_label: tool,
      tool_name: tool,
      tool_parameters: parameters,
    })
    .node('end', 'end', endData({ json: ['tool', 'json'], text: ['tool', 'text'] }))
    .chain('start', 'tool', 'end')
    .toYaml();
}

const runData = (res: { body: Record<string, unknown> }) => res.body['data'] as Record<string, unknown>;

describe('MCP tools (Dify mcp provider type) with a real MCP server', () => {
  let stack: TestStack;
  let client: WeftClient;
  let secured: TestMcpServer;
  let legacy: TestMcpServer;
  let owner: SignedUp;
  let other: SignedUp;
  let normalToken: string;
  let provider: McpProvider;

  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = owner.access_token) =>
    client.call<T>(method, path, { body, token });

  beforeAll(async () => {
    secured = await startTestMcpServer({ requiredHeader: { name: 'Authorization', value: SECRET } });
    legacy = await startTestMcpServer();
    // Node runners may reach 127.0.0.1 (the test servers), and nothing else that is internal.
    stack = await TestStack.create({ env: { SSRF_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    owner = await client.signUp();
    other = await client.signUp();
    const member = await client.signUp();
    await client.inviteAndAccept(owner.access_token, member.email, member.access_token, 'normal');
    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: owner.workspace_id },
      token: member.access_token,
    });
    normalToken = switched.body.access_token;
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.destroy();
    await secured?.close();
    await legacy?.close();
  }, STACK_STOP_TIMEOUT_MS);

  it("adds a server over streamable HTTP with an auth header, answering Dify's provider with its tools and the header masked", async () => {
    const res = await call<McpProvider>(
      'POST',
      MCP,
      addBody(secured.streamableUrl, { headers: { Authorization: SECRET }, sse_read_timeout: 20, timeout: 10 }),
    );
    expect(res.status).toBe(200);
    provider = res.body;
    expect(provider).toMatchObject({
      configuration: { sse_read_timeout: 20, timeout: 10 },
      is_team_authorization: true,
      masked_headers: { Authorization: `Be${'*'.repeat(SECRET.length - 4)}11` },
      name: 'Weather',
      server_identifier: 'weather',
      server_url: `${secured.url}/******`,
      type: 'mcp',
    });
    expect(provider.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(provider.tools.map((t) => t.name)).toEqual(['echo', 'forecast', 'stations', 'offline', 'picture']);
    const forecast = provider.tools.find((t) => t.name === 'forecast')!;
    expect(forecast.parameters.map((p) => [p['name'], p['type'], p['required'], p['form']])).toEqual([
      ['city', 'string', true, 'llm'],
      ['days', 'number', true, 'llm'],
      ['units', 'string', false, 'llm'],
    ]);
    expect(forecast.output_schema).toMatchObject({ properties: { temperature: { type: 'number' } } });
    const stations = provider.tools.find((t) => t.name === 'stations')!;
    expect(stations.parameters.find((p) => p['name'] === 'tags')).toMatchObject({
      input_schema: { items: { type: 'string' } },
      type: 'array',
    });
    // The listing went through a node runner to the real server, with the header.
    expect(secured.requests).toEqual(expect.arrayContaining(['POST /mcp']));
  });

  it('keeps the URL and the header sealed at rest, and never answers them', async () => {
    const rows = await queryDatabase<{ sealed_credentials: string; settings: unknown }>(
      stack.database.url,
      `SELECT sealed_credentials, settings FROM gateway.tool_providers WHERE provider_type = 'mcp'`,
    );
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain('sesame');
    expect(stored).not.toContain(secured.streamableUrl);
    for (const res of [
      await call('GET', LIST),
      await call('GET', `${MCP}/tools/${provider.id}`),
      await call('GET', '/console/api/workspaces/current/tool-providers'),
    ]) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain('sesame');
      expect(JSON.stringify(res.body)).not.toContain(secured.streamableUrl);
    }
  });

  it("lists and shows the workspace's servers as Dify does", async () => {
    const list = await call<McpProvider[]>('GET', LIST);
    expect(list.body).toEqual([expect.objectContaining({ id: 'weather', name: 'Weather', server_identifier: 'weather', type: 'mcp' })]);
    expect(list.body[0]).not.toHaveProperty('masked_headers');
    const detail = await call<McpProvider>('GET', `${MCP}/tools/${provider.id}`);
    expect(detail.body).toMatchObject({ id: provider.id, masked_headers: provider.masked_headers, tools: provider.tools });
    // By server identifier too (what the list answers as id).
    expect((await call<McpProvider>('GET', `${MCP}/tools/weather`)).body.id).toBe(provider.id);
    const all = await call<{ id: string; type: string }[]>('GET', '/console/api/workspaces/current/tool-providers');
    expect(all.body.filter((p) => p.type === 'mcp')).toEqual([expect.objectContaining({ id: provider.id, name: 'Weather' })]);
    // A normal member reads them, without as much as the ends of a header value.
    const seen = await call<McpProvider>('GET', `${MCP}/tools/${provider.id}`, undefined, normalToken);
    expect(seen.status).toBe(200);
    expect(seen.body.masked_headers).toEqual({ Authorization: '*'.repeat(SECRET.length) });
  });

  it('records adding a server in the audit trail, with header names only', async () => {
    await expectEventually(async () => {
      const rows = await queryDatabase<{ action: string; details: Record<string, unknown>; resource_id: string }>(
        stack.database.url,
        `SELECT action, details, resource_id FROM compliance.audit_events WHERE workspace_id = $1 AND action = 'mcp_provider.created'`,
        [owner.workspace_id],
      );
      expect(rows).toEqual([
        expect.objectContaining({
          details: expect.objectContaining({ header_names: ['Authorization'], server_identifier: 'weather' }),
          resource_id: provider.id,
        }),
      ]);
      expect(JSON.stringify(rows)).not.toContain('sesame');
    });
  });

  it('imports a Dify export with MCP tool nodes and runs it through the Service API', async () => {
    const imported = await client.importApp(owner.access_token, WEATHER_EXPORT);
    // Dify itself answers an export of an older DSL version "completed-with-warnings"; the MCP nodes raise nothing.
    expect(imported.body).toMatchObject({ problems: [], status: 'completed-with-warnings' });
    expect(imported.body.error).toMatch(
      /^DSL version 0\.3\.1 is older than [0-9.]+: the app was imported, but check it in the editor before publishing$/,
    );
    const app = await client.deploy(owner.access_token, WEATHER_EXPORT);
    const before = secured.calls.length;
    const res = await client.run(app.key, { city: 'Oslo', days: 3, note: ' today' });
    expect(res.status).toBe(200);
    expect(runData(res)).toMatchObject({ error: null, status: 'succeeded' });
    expect(runData(res)['outputs']).toEqual({
      echo: 'Oslo: 21 degrees today. Oslo: 21 degrees today.',
      forecast: [{ city: 'Oslo', days: 3, temperature: 21 }],
      stations: [
        { id: 1, region: 'north', tag: 'coast' },
        { id: 2, region: 'north', tag: 'Oslo' },
      ],
      temperature: 21,
    });
    // Each tool node called tools/call with its parameters cast to the schema's types, with the stored header.
    expect(secured.calls.slice(before).map((c) => [c.name, c.arguments, c.headers.authorization])).toEqual([
      ['forecast', { city: 'Oslo', days: 3 }, SECRET],
      ['echo', { text: 'Oslo: 21 degrees today.', times: 2 }, SECRET],
      ['stations', { region: 'north', tags: ['coast', 'Oslo'] }, SECRET],
    ]);
  });

  it('calls a server that speaks the older HTTP+SSE transport', async () => {
    const added = await call<McpProvider>(
      'POST',
      MCP,
      addBody(legacy.sseUrl, { name: 'Legacy weather', server_identifier: 'legacy-weather' }),
    );
    expect(added.status).toBe(200);
    expect(added.body.tools).toHaveLength(5);
    const app = await client.deploy(
      owner.access_token,
      oneToolApp('legacy-weather', 'echo', {
        text: { type: 'mixed', value: '{{#start.text#}}' },
        upper: { type: 'constant', value: true },
      }),
    );
    const res = await client.run(app.key, { text: 'over sse' });
    expect(runData(res)).toMatchObject({ outputs: { json: [], text: 'OVER SSE' }, status: 'succeeded' });
    expect(legacy.requests).toEqual(expect.arrayContaining(['GET /sse', 'POST /messages']));
    expect(legacy.requests).not.toContain('POST /mcp');
  });

  it("fails a tool node with Dify's ToolInvokeError when the server answers an error, and for a tool it does not list", async () => {
    const offline = await client.deploy(owner.access_token, oneToolApp('weather', 'offline', {}));
    const failed = runData(await client.run(offline.key, {}));
    expect(failed['status']).toBe('failed');
    expect(String(failed['error'])).toContain('the station is offline');
    const missing = await client.deploy(owner.access_token, oneToolApp('weather', 'hail', {}));
    const notFound = runData(await client.run(missing.key, {}));
    expect(notFound['status']).toBe('failed');
    expect(String(notFound['error'])).toContain('tool hail not found in MCP server "Weather"');
  });

  it('refuses bad requests with clear 4xx answers, and stores nothing', async () => {
    const count = async () =>
      (await queryDatabase(stack.database.url, `SELECT 1 FROM gateway.tool_providers WHERE provider_type = 'mcp'`)).length;
    const stored = await count();
    const refused = async (body: unknown, status: number, message: RegExp | string) => {
      const res = await call('POST', MCP, body);
      expect({ status: res.status, code: res.body['code'] }).toMatchObject({ status });
      expect(String(res.body['message'])).toMatch(message);
      expect(res.body['status']).toBe(status);
    };
    const port = new URL(legacy.url).port;
    await refused(addBody('ftp://example.com/mcp', { name: 'A', server_identifier: 'a' }), 400, 'Server URL is not valid.');
    await refused(addBody('not a url', { name: 'A', server_identifier: 'a' }), 400, 'Server URL is not valid.');
    await refused({ server_url: legacy.streamableUrl }, 400, /name/);
    await refused(addBody(legacy.streamableUrl, { name: 'A', server_identifier: 'Not Valid' }), 400, /server_identifier/);
    await refused(addBody(legacy.streamableUrl, { name: 'A', server_identifier: 'a', timeout: 'soon' }), 400, /timeout/);
    for (const headers of [
      ['Authorization', 'x'],
      'Authorization: x',
      { Authorization: 42 },
      { 'Bad Name': 'x' },
      { 'X-Key': 'a\r\nX-Injected: 1' },
      { Host: 'internal' },
    ]) {
      await refused(addBody(legacy.streamableUrl, { headers, name: 'A', server_identifier: 'a' }), 400, /header/i);
    }
    // Unreachable, an internal address the node runners' SSRF guard refuses, and the wrong credentials.
    await refused(
      addBody('http://127.0.0.1:9/mcp', { name: 'A', server_identifier: 'a' }),
      400,
      /^Failed to connect to MCP server: .*ECONNREFUSED/,
    );
    const before = legacy.requests.length;
    await refused(
      addBody(`http://127.0.0.2:${port}/mcp`, { name: 'A', server_identifier: 'a' }),
      400,
      /^Failed to connect to MCP server: Requests to 127\.0\.0\.2 \(loopback\) are not allowed; add it to SSRF_ALLOWED_HOSTS/,
    );
    await refused(addBody('http://169.254.169.254/latest/mcp', { name: 'A', server_identifier: 'a' }), 400, /link-local\) are not allowed/);
    expect(legacy.requests.length).toBe(before);
    await refused(
      addBody(secured.streamableUrl.replace('/mcp', '/other/mcp'), {
        headers: { Authorization: 'Bearer wrong' },
        name: 'A',
        server_identifier: 'a',
      }),
      400,
      /refused the request \(HTTP 401\)/,
    );
    // A name, identifier or URL the workspace already has.
    await refused(addBody(legacy.streamableUrl, { server_identifier: 'a' }), 400, 'MCP tool Weather already exists');
    await refused(addBody(legacy.streamableUrl, { name: 'A' }), 400, 'MCP tool weather already exists');
    await refused(addBody(legacy.sseUrl, { name: 'A', server_identifier: 'a' }), 400, 'MCP tool with this server URL already exists');
    expect(await count()).toBe(stored);
    expect((await client.call('POST', MCP, { body: addBody(legacy.streamableUrl) })).status).toBe(401);
  });

  it('lets only admins change servers; a normal member may read them', async () => {
    const body = addBody(legacy.streamableUrl, { name: 'Mine', server_identifier: 'mine' });
    expect((await call('POST', MCP, body, normalToken)).status).toBe(403);
    expect((await call('PUT', MCP, { ...body, provider_id: provider.id }, normalToken)).status).toBe(403);
    expect((await call('DELETE', MCP, { provider_id: provider.id }, normalToken)).status).toBe(403);
    expect((await call('GET', `${MCP}/update/${provider.id}`, undefined, normalToken)).status).toBe(403);
    expect((await call('GET', LIST, undefined, normalToken)).status).toBe(200);
  });

  it("keeps each workspace's servers to itself", async () => {
    const as = other.access_token;
    expect((await call('GET', LIST, undefined, as)).body).toEqual([]);
    for (const id of [provider.id, 'weather']) {
      expect((await call('GET', `${MCP}/tools/${id}`, undefined, as)).status).toBe(404);
      expect((await call('GET', `${MCP}/update/${id}`, undefined, as)).status).toBe(404);
      expect((await call('PUT', MCP, { ...addBody(legacy.streamableUrl), provider_id: id }, as)).status).toBe(404);
      expect((await call('DELETE', MCP, { provider_id: id }, as)).status).toBe(404);
    }
    // The other workspace's tool node naming "weather" does not reach this workspace's server.
    const app = await client.deploy(as, oneToolApp('weather', 'echo', { text: { type: 'constant', value: 'x' } }));
    const res = runData(await client.run(app.key, {}));
    expect(res['status']).toBe('failed');
    expect(String(res['error'])).toContain('mcp tool provider "weather" not found in this workspace');
    // Its own server of the same identifier and URL is its own business.
    const added = await call<McpProvider>('POST', MCP, addBody(legacy.streamableUrl), as);
    expect(added.status).toBe(200);
    expect(added.body.id).not.toBe(provider.id);
  });

  it('changes a server: a masked header sent back keeps its value, a new name and identifier re-seal it, a new URL is listed again', async () => {
    const update = (extra: Record<string, unknown>) =>
      call('PUT', MCP, {
        ...addBody('[__HIDDEN__]', { headers: provider.masked_headers, name: 'Weather station', server_identifier: 'station' }),
        provider_id: provider.id,
        ...extra,
      });
    const res = await update({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'success' });
    const detail = await call<McpProvider>('GET', `${MCP}/tools/station`);
    expect(detail.body).toMatchObject({
      id: provider.id,
      masked_headers: provider.masked_headers,
      name: 'Weather station',
      server_identifier: 'station',
    });
    // The header still opens the server: its value was kept from the mask, sealed under the new identifier.
    const app = await client.deploy(
      owner.access_token,
      oneToolApp('station', 'echo', { text: { type: 'constant', value: 'still secret' } }),
    );
    expect(runData(await client.run(app.key, {}))).toMatchObject({ outputs: { text: 'still secret' }, status: 'succeeded' });
    // A new URL is listed before it is saved: the wrong one is refused and nothing changes.
    const moved = await update({ server_url: 'http://127.0.0.1:9/mcp' });
    expect(moved.status).toBe(400);
    expect(String(moved.body['message'])).toMatch(/^Failed to re-connect MCP server: .*ECONNREFUSED/);
    expect((await call<McpProvider>('GET', `${MCP}/tools/station`)).body.server_url).toBe(`${secured.url}/******`);
    // A name another server of the workspace has is refused.
    expect((await update({ name: 'Legacy weather' })).body).toMatchObject({
      code: 'invalid_param',
      message: 'MCP tool Legacy weather already exists',
    });
    expect((await call('PUT', MCP, { ...addBody(legacy.streamableUrl), provider_id: 'nope' })).status).toBe(404);
  });

  it('lists the tools again on GET .../mcp/update/{id}, and says why when the server is gone', async () => {
    const refreshed = await call<McpProvider>('GET', `${MCP}/update/${provider.id}`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ id: provider.id, is_team_authorization: true, plugin_unique_identifier: 'station' });
    expect(refreshed.body.tools).toHaveLength(5);
    const gone = await startTestMcpServer();
    const added = await call<McpProvider>('POST', MCP, addBody(gone.streamableUrl, { name: 'Gone', server_identifier: 'gone' }));
    expect(added.status).toBe(200);
    await gone.close();
    const failed = await call('GET', `${MCP}/update/${added.body.id}`);
    expect(failed.status).toBe(400);
    expect(String(failed.body['message'])).toMatch(/^Failed to connect to MCP server: .*ECONNREFUSED/);
    // The tools listed before stay.
    expect((await call<McpProvider>('GET', `${MCP}/tools/gone`)).body.tools).toHaveLength(5);
  });

  it('removes a server; its tool nodes then fail until it is added again', async () => {
    const app = await client.deploy(owner.access_token, oneToolApp('gone', 'echo', { text: { type: 'constant', value: 'x' } }));
    expect((await call('DELETE', MCP, { provider_id: 'gone' })).body).toEqual({ result: 'success' });
    expect((await call('DELETE', MCP, { provider_id: 'gone' })).status).toBe(404);
    expect((await call('DELETE', MCP, {})).status).toBe(400);
    expect((await call<McpProvider[]>('GET', LIST)).body.map((p) => p.server_identifier)).toEqual(['legacy-weather', 'station']);
    const res = runData(await client.run(app.key, {}));
    expect(res['status']).toBe('failed');
    expect(String(res['error'])).toContain('mcp tool provider "gone" not found in this workspace');
  });
});
