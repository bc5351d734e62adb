import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expectEventually, startTestHttpServer, TestStack, WeftClient, type RecordedRequest, type TestHttpServer } from '@weft/testing';

// Custom tools from an OpenAPI schema (Dify's `api` provider type, issue 17), through the public API only:
// an admin adds a provider from the schema of a small pet shop API (a local server), a Dify export whose
// tool nodes name that provider is imported and run through the Service API, and the API receives the
// calls with the provider's key. Around it: what the console refuses, what another workspace cannot see
// or use, renames and deletes, and addresses the SSRF guard keeps workflows from.

const STACK_START_TIMEOUT_MS = 120_000;
const STACK_STOP_TIMEOUT_MS = 60_000;
const KEY = 'pet-shop-key-0123456789';
const OTHER_KEY = 'other-workspace-key-987';
/** A loopback address outside the stack's SSRF allow-list (which admits 127.0.0.1 only). */
const PRIVATE_HOST = '127.0.0.3';
const API = '/console/api/workspaces/current/tool-provider/api';
const EXPORT = readFileSync(join(__dirname, 'fixtures', 'dify-api-tool-workflow.yml'), 'utf8');

const appFor = (provider: string): string => EXPORT.replaceAll('__PROVIDER__', provider);
const runData = (res: { body: Record<string, unknown> }) => res.body['data'] as Record<string, unknown>;
const outputs = (res: { body: Record<string, unknown> }) => runData(res)['outputs'] as Record<string, unknown>;

/** The pet shop's OpenAPI 3 document, as YAML, served at `baseUrl`. */
function petshopSchema(baseUrl: string): string {
  return stringify({
    components: {
      schemas: {
        NewPet: {
          properties: {
            age: { description: 'Age in years', type: 'integer' },
            name: { description: 'The name', type: 'string' },
            tags: { items: { type: 'string' }, type: 'array' },
          },
          required: ['name'],
          type: 'object',
        },
      },
    },
    info: { description: 'A small pet shop', title: 'Pet shop', version: '1.0.0' },
    openapi: '3.0.3',
    paths: {
      '/pets': {
        post: {
          operationId: 'addPet',
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } }, required: true },
          summary: 'Add a pet to the shop',
        },
      },
      '/pets/{petId}': {
        get: {
          operationId: 'getPet',
          parameters: [
            { description: 'The pet id', in: 'path', name: 'petId', required: true, schema: { type: 'string' } },
            { in: 'query', name: 'verbose', schema: { type: 'boolean' } },
          ],
          summary: 'Find a pet by its id',
        },
      },
    },
    servers: [{ url: `${baseUrl}/v1` }],
  });
}

function addBody(provider: string, schema: string, key = KEY): Record<string, unknown> {
  return {
    credentials: { api_key_header: 'X-Api-Key', api_key_header_prefix: 'custom', api_key_value: key, auth_type: 'api_key' },
    custom_disclaimer: '',
    icon: { background: '#E4FBCC', content: '🐾' },
    labels: ['pets'],
    privacy_policy: 'https://pets.example/privacy',
    provider,
    schema,
    schema_type: 'openapi',
  };
}

/** A server on PRIVATE_HOST that records what reaches it (nothing should). */
async function startPrivateServer(): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"leaked": true}');
  });
  await new Promise<void>((resolve) => server.listen(0, PRIVATE_HOST, resolve));
  return { requests, server, url: `http://${PRIVATE_HOST}:${(server.address() as AddressInfo).port}` };
}

describe('custom API tools from an OpenAPI schema', () => {
  let stack: TestStack;
  let client: WeftClient;
  let api: TestHttpServer;
  let internal: Awaited<ReturnType<typeof startPrivateServer>>;
  let schema: string;
  let admin: string;
  let adminWorkspace: string;
  let member: string;
  let other: string;

  const petCalls = (): RecordedRequest[] => api.requests.filter((r) => r.url.startsWith('/v1/pets'));

  beforeAll(async () => {
    api = await startTestHttpServer((req, res) => {
      const key = req.headers['x-api-key'];
      if (key !== KEY && key !== OTHER_KEY) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error": "missing or wrong key"}');
        return;
      }
      const url = new URL(req.url, 'http://x');
      if (req.method === 'GET' && url.pathname === '/v1/pets/404') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such pet');
      } else if (req.method === 'GET' && url.pathname.startsWith('/v1/pets/')) {
        const id = decodeURIComponent(url.pathname.slice('/v1/pets/'.length));
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ id, name: 'Rex', verbose: url.searchParams.get('verbose'), via: key === KEY ? 'shop' : 'other' }));
      } else if (req.method === 'POST' && url.pathname === '/v1/pets') {
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ created: JSON.parse(req.body.toString()) }));
      } else {
        res.writeHead(404).end();
      }
    });
    internal = await startPrivateServer();
    schema = petshopSchema(api.url);
    stack = await TestStack.create({ env: { SSRF_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    const signedUp = await client.signUp();
    admin = signedUp.access_token;
    adminWorkspace = signedUp.workspace_id;
    const joined = await client.signUp();
    await client.inviteAndAccept(admin, joined.email, joined.access_token, 'normal');
    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: adminWorkspace },
      token: joined.access_token,
    });
    member = switched.body.access_token;
    other = await client.register();
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.destroy();
    await api?.close();
    await new Promise((resolve) => internal?.server.close(resolve));
  }, STACK_STOP_TIMEOUT_MS);

  it('documents the routes in the OpenAPI description', async () => {
    const doc = (await (await fetch(`${stack.gateway.baseUrl}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ['add', 'post'],
      ['get', 'get'],
      ['update', 'post'],
      ['delete', 'post'],
      ['tools', 'get'],
      ['schema', 'post'],
    ]) {
      expect(doc.paths[`${API}/${path}`]?.[method]).toBeDefined();
    }
    expect(doc.paths['/console/api/workspaces/current/tools/api']?.['get']).toBeDefined();
  });

  it("parses a schema into Dify's tool bundles without adding anything, and never fetches a remote $ref", async () => {
    const parsed = await client.call<{ parameters_schema: { operation_id: string; server_url: string; parameters: { name: string }[] }[] }>(
      'POST',
      `${API}/schema`,
      { body: { schema }, token: member },
    );
    expect(parsed.status).toBe(200);
    expect(parsed.body).toMatchObject({ schema_type: 'openapi', warning: {} });
    expect(parsed.body.parameters_schema.map((b) => [b.operation_id, b.server_url, b.parameters.map((p) => p.name)])).toEqual([
      ['addPet', `${api.url}/v1/pets`, ['age', 'name', 'tags']],
      ['getPet', `${api.url}/v1/pets/{petId}`, ['petId', 'verbose']],
    ]);

    const remote = schema.replace('#/components/schemas/NewPet', `${api.url}/evil.yaml#/NewPet`);
    const refused = await client.call('POST', `${API}/schema`, { body: { schema: remote }, token: member });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'invalid_param', status: 400 });
    expect(String(refused.body['message'])).toMatch(
      /^invalid schema: \$ref ".+evil\.yaml#\/NewPet" points outside the schema; Weft never fetches/,
    );
    expect(api.requests.filter((r) => r.url.includes('evil'))).toHaveLength(0);

    const garbage = await client.call('POST', `${API}/schema`, { body: { schema: '{"openapi": [' }, token: member });
    expect(garbage).toMatchObject({ body: { code: 'invalid_param', status: 400 }, status: 400 });
    expect(String(garbage.body['message'])).toMatch(/^invalid schema: Invalid api schema, schema is neither json nor yaml/);
    expect((await client.call('POST', `${API}/schema`, { body: {}, token: member })).status).toBe(400);
    expect((await client.call('GET', '/console/api/workspaces/current/tools/api', { token: admin })).body).toEqual([]);
  });

  it('refuses bad additions with a clear 400, a normal member with 403 and no token with 401', async () => {
    const good = addBody('petshop', schema);
    const creds = good['credentials'] as Record<string, string>;
    const bad: [Record<string, unknown>, RegExp][] = [
      [
        { ...good, schema: 'openapi: 3.0.0\ninfo: {title: x}\npaths: {}\nservers: [{url: "https://x.example"}]' },
        /^invalid schema: No paths found/,
      ],
      [
        { ...good, schema: schema.replace(api.url, 'ftp://files.example') },
        /^invalid schema: servers\[0\]\.url must be an http or https URL/,
      ],
      [{ ...good, schema_type: 'graphql' }, /^invalid schema type graphql$/],
      [{ ...good, credentials: { api_key_value: KEY } }, /^auth_type is required$/],
      [{ ...good, credentials: { auth_type: 'oauth2' } }, /^invalid mode value oauth2$/],
      [
        { ...good, credentials: { auth_type: 'api_key', api_key_header: 'X-Api-Key' } },
        /^api_key_value is required when auth_type is api_key$/,
      ],
      [{ ...good, credentials: { ...creds, api_key_header: 'X Api Key' } }, /is not an HTTP header name/],
      [
        { ...good, credentials: { ...creds, api_key_header_prefix: 'digest' } },
        /api_key_header_prefix must be one of basic, bearer, custom/,
      ],
      [{ ...good, credentials: { ...creds, api_key_value: 'k\r\nX-Injected: 1' } }, /api_key_value cannot contain line breaks/],
      [{ ...good, credentials: 'api_key' }, /credentials/],
      [{ ...good, credentials: { auth_type: 7 } }, /credentials\.auth_type/],
      [{ ...good, provider: '' }, /provider/],
      [{ ...good, provider: 'x'.repeat(256) }, /provider/],
      [{ ...good, schema: undefined }, /schema/],
      [{ ...good, icon: 'paw' }, /icon/],
      [{ ...good, labels: 'pets' }, /labels/],
    ];
    for (const [body, message] of bad) {
      const res = await client.call('POST', `${API}/add`, { body, token: admin });
      expect({ body: res.body, status: res.status }).toMatchObject({ body: { code: 'invalid_param', status: 400 }, status: 400 });
      expect(String(res.body['message'])).toMatch(message);
    }
    expect((await client.call('POST', `${API}/add`, { body: good, token: member })).status).toBe(403);
    expect((await client.call('POST', `${API}/add`, { body: good })).status).toBe(401);
    expect((await client.call('GET', '/console/api/workspaces/current/tools/api', { token: admin })).body).toEqual([]);
  });

  it('adds the provider, refuses its name twice, and never answers the key in clear', async () => {
    const added = await client.call('POST', `${API}/add`, { body: addBody('petshop', schema), token: admin });
    expect(added).toMatchObject({ body: { result: 'success' }, status: 200 });
    const twice = await client.call('POST', `${API}/add`, { body: addBody('petshop', schema), token: admin });
    expect(twice).toMatchObject({ body: { code: 'invalid_param', message: 'provider petshop already exists', status: 400 }, status: 400 });

    const shown = await client.call<Record<string, unknown>>('GET', `${API}/get?provider=petshop`, { token: member });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      credentials: {
        api_key_header: 'X-Api-Key',
        api_key_header_prefix: 'custom',
        api_key_value: `pe${'*'.repeat(KEY.length - 4)}89`,
        auth_type: 'api_key',
      },
      description: 'A small pet shop',
      icon: { background: '#E4FBCC', content: '🐾' },
      labels: ['pets'],
      privacy_policy: 'https://pets.example/privacy',
      schema,
      schema_type: 'openapi',
    });
    expect((shown.body['tools'] as { operation_id: string }[]).map((t) => t.operation_id)).toEqual(['addPet', 'getPet']);

    const tools = await client.call<{ name: string; parameters: { name: string; type: string; required: boolean; form: string }[] }[]>(
      'GET',
      `${API}/tools?provider=petshop`,
      { token: member },
    );
    expect(tools.status).toBe(200);
    expect(tools.body.find((t) => t.name === 'getPet')!.parameters).toEqual([
      expect.objectContaining({ form: 'llm', name: 'petId', required: true, type: 'string' }),
      expect.objectContaining({ form: 'llm', name: 'verbose', required: false, type: 'boolean' }),
    ]);
    expect(tools.body.find((t) => t.name === 'addPet')!.parameters.map((p) => [p.name, p.type, p.required])).toEqual([
      ['age', 'number', false],
      ['name', 'string', true],
      ['tags', 'array', false],
    ]);

    const listed = await client.call<Record<string, unknown>[]>('GET', '/console/api/workspaces/current/tools/api', { token: member });
    expect(listed.body).toEqual([
      expect.objectContaining({ name: 'petshop', team_credentials: expect.objectContaining({ auth_type: 'api_key' }), type: 'api' }),
    ]);
    const providers = await client.call<{ name: string; type: string; tools: unknown[] }[]>(
      'GET',
      '/console/api/workspaces/current/tool-providers',
      {
        token: admin,
      },
    );
    expect(providers.body.find((p) => p.type === 'api')).toMatchObject({ name: 'petshop', tools: [expect.anything(), expect.anything()] });
    for (const answer of [shown.body, tools.body, listed.body, providers.body]) expect(JSON.stringify(answer)).not.toContain(KEY);

    await expectEventually(async () => {
      const logs = await client.call<{ data: { action: string; details: Record<string, unknown>; resource: { id: string } }[] }>(
        'GET',
        '/console/api/audit/logs?limit=100',
        { token: admin },
      );
      const event = logs.body.data.find((e) => e.action === 'api_tool_provider.created' && e.details['error'] === undefined);
      expect(event).toMatchObject({ details: { auth_type: 'api_key', schema_type: 'openapi' }, resource: { id: 'petshop' } });
      expect(JSON.stringify(logs.body)).not.toContain(KEY);
    });
  });

  it('imports the Dify export without a tool warning and runs it through the Service API, the API receiving the key', async () => {
    const imported = await client.importApp(admin, appFor('petshop'));
    expect(imported.status).toBe(200);
    expect(imported.body.app_id).toEqual(expect.any(String));
    expect(imported.body.problems.filter((p) => /tool|provider/i.test(p.message))).toEqual([]);
    const app = await client.deploy(admin, appFor('petshop'));
    const before = petCalls().length;
    const res = await client.run(app.key, { name: 'Fido', pet_id: '7' });
    expect(runData(res)).toMatchObject({ status: 'succeeded' });
    expect(outputs(res)).toEqual({
      created: '{"created":{"age":3,"name":"Fido","tags":["friendly","7"]}}',
      pet: '{"id":"7","name":"Rex","verbose":"true","via":"shop"}',
      pet_json: [{ id: '7', name: 'Rex', verbose: 'true', via: 'shop' }],
    });
    const [lookup, creation] = petCalls().slice(before);
    expect(lookup).toMatchObject({ method: 'GET', url: '/v1/pets/7?verbose=true' });
    expect(lookup.headers['x-api-key']).toBe(KEY);
    expect(creation).toMatchObject({ method: 'POST', url: '/v1/pets' });
    expect(creation.headers['x-api-key']).toBe(KEY);
    expect(creation.headers['content-type']).toBe('application/json');
    expect(JSON.parse(creation.body.toString())).toEqual({ age: 3, name: 'Fido', tags: ['friendly', '7'] });
    expect(JSON.stringify(res.body)).not.toContain(KEY);
  });

  it("fails the tool node with Dify's message when the API answers an error", async () => {
    const app = await client.deploy(admin, appFor('petshop'));
    const res = await client.run(app.key, { name: 'Fido', pet_id: '404' });
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toContain('Request failed with status code 404 and no such pet');
  });

  it("keeps one workspace's provider out of another's sight and use; the other may add its own by the same name", async () => {
    const before = petCalls().length;
    const cases: [string, string, Record<string, unknown> | undefined][] = [
      ['GET', `${API}/get?provider=petshop`, undefined],
      ['GET', `${API}/tools?provider=petshop`, undefined],
      ['POST', `${API}/delete`, { provider: 'petshop' }],
    ];
    for (const [method, path, body] of cases) {
      const res = await client.call(method, path, { body, token: other });
      expect(res).toMatchObject({
        body: { code: 'invalid_param', message: 'you have not added provider petshop', status: 400 },
        status: 400,
      });
    }
    const update = await client.call('POST', `${API}/update`, {
      body: { ...addBody('petshop', schema), original_provider: 'petshop' },
      token: other,
    });
    expect(update).toMatchObject({ body: { message: 'api provider petshop does not exists' }, status: 400 });
    expect((await client.call('GET', '/console/api/workspaces/current/tools/api', { token: other })).body).toEqual([]);

    const theirs = await client.deploy(other, appFor('petshop'));
    const refused = await client.run(theirs.key, { name: 'Fido', pet_id: '7' });
    expect(runData(refused)).toMatchObject({ status: 'failed' });
    expect(String(runData(refused)['error'])).toMatch(
      /api tool provider "0f8b9c2e-5d4a-4e3b-9a1c-7e6d5c4b3a29" not found in this workspace/,
    );
    expect(petCalls().length).toBe(before);

    const added = await client.call('POST', `${API}/add`, { body: addBody('petshop', schema, OTHER_KEY), token: other });
    expect(added.status).toBe(200);
    const ran = await client.run(theirs.key, { name: 'Fido', pet_id: '8' });
    expect(outputs(ran)['pet_json']).toEqual([{ id: '8', name: 'Rex', verbose: 'true', via: 'other' }]);
    expect(
      petCalls()
        .slice(before)
        .map((r) => r.headers['x-api-key']),
    ).toEqual([OTHER_KEY, OTHER_KEY]);
    const mine = await client.call<Record<string, Record<string, string>>>('GET', `${API}/get?provider=petshop`, { token: admin });
    expect(mine.body['credentials']['api_key_value']).toBe(`pe${'*'.repeat(KEY.length - 4)}89`);
  });

  it('renames the provider with update, keeping the masked key; the old name stops working', async () => {
    const shown = await client.call<Record<string, unknown>>('GET', `${API}/get?provider=petshop`, { token: admin });
    const body = { ...addBody('petstore', schema), credentials: shown.body['credentials'], original_provider: 'petshop' };
    expect((await client.call('POST', `${API}/update`, { body, token: member })).status).toBe(403);
    const renamed = await client.call('POST', `${API}/update`, { body, token: admin });
    expect(renamed).toMatchObject({ body: { result: 'success' }, status: 200 });

    const old = await client.run((await client.deploy(admin, appFor('petshop'))).key, { name: 'Fido', pet_id: '7' });
    expect(runData(old)).toMatchObject({ status: 'failed' });
    const before = petCalls().length;
    const now = await client.run((await client.deploy(admin, appFor('petstore'))).key, { name: 'Fido', pet_id: '9' });
    expect(runData(now)).toMatchObject({ status: 'succeeded' });
    expect(
      petCalls()
        .slice(before)
        .map((r) => r.headers['x-api-key']),
    ).toEqual([KEY, KEY]);

    const unknown = await client.call('POST', `${API}/update`, {
      body: { ...body, original_provider: 'nope', provider: 'nope' },
      token: admin,
    });
    expect(unknown).toMatchObject({
      body: { code: 'invalid_param', message: 'api provider nope does not exists', status: 400 },
      status: 400,
    });
    expect((await client.call('POST', `${API}/add`, { body: addBody('spare', schema), token: admin })).status).toBe(200);
    const taken = await client.call('POST', `${API}/update`, {
      body: { ...body, original_provider: 'petstore', provider: 'spare' },
      token: admin,
    });
    expect(taken).toMatchObject({ body: { message: 'provider spare already exists' }, status: 400 });
    const badSchema = await client.call('POST', `${API}/update`, {
      body: { ...body, original_provider: 'petstore', schema: 'swagger: "2.0"' },
      token: admin,
    });
    expect(badSchema).toMatchObject({ body: { code: 'invalid_param' }, status: 400 });
    expect(String(badSchema.body['message'])).toMatch(/^invalid schema: /);
  });

  it('deletes the provider for admins only; its tools fail from then on', async () => {
    expect((await client.call('POST', `${API}/delete`, { body: { provider: 'spare' }, token: member })).status).toBe(403);
    const deleted = await client.call('POST', `${API}/delete`, { body: { provider: 'spare' }, token: admin });
    expect(deleted).toMatchObject({ body: { result: 'success' }, status: 200 });
    const again = await client.call('POST', `${API}/delete`, { body: { provider: 'spare' }, token: admin });
    expect(again).toMatchObject({ body: { message: 'you have not added provider spare' }, status: 400 });
    expect((await client.call('POST', `${API}/delete`, { body: {}, token: admin })).status).toBe(400);
    const res = await client.run((await client.deploy(admin, appFor('spare'))).key, { name: 'Fido', pet_id: '7' });
    expect(runData(res)).toMatchObject({ status: 'failed' });
    expect(String(runData(res)['error'])).toContain('not found in this workspace');
  });

  it('refuses to call an internal address the operator did not allow, whatever the schema says', async () => {
    for (const [name, server] of [
      ['internal', internal.url],
      ['metadata', 'http://169.254.169.254/latest'],
    ]) {
      const added = await client.call('POST', `${API}/add`, { body: addBody(name, petshopSchema(server)), token: admin });
      expect(added.status).toBe(200);
      const res = await client.run((await client.deploy(admin, appFor(name))).key, { name: 'Fido', pet_id: '7' });
      expect(runData(res)).toMatchObject({ status: 'failed' });
      expect(String(runData(res)['error'])).toMatch(/Failed to invoke tool: Requests to .+ are not allowed; add it to SSRF_ALLOWED_HOSTS/);
    }
    expect(internal.requests).toHaveLength(0);
  });
});
