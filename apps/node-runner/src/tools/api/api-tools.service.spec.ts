import type { StoredToolProvider } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { createSsrfGuard } from '@weft/outbound-http';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import type { ApiToolBundle } from '@weft/workflow';
import { ToolExecutor } from '../../nodes/tool/tool.executor';
import { failureOf, outputsOf, testConfig, testContext, testJob } from '../../nodes/node-test.util';
import { ToolRegistry } from '../tool-registry.service';
import { ToolInvokeError, ToolRuntimeError, type ToolCallContext } from '../tool-runtime.types';
import { ApiToolProviders, invokeApiTool } from './api-tools.service';

function getPet(serverUrl: string): ApiToolBundle {
  return {
    method: 'get',
    openapi: {
      operationId: 'getPet',
      parameters: [
        { in: 'path', name: 'petId', required: true, schema: { type: 'string' } },
        { in: 'query', name: 'verbose', schema: { type: 'boolean' } },
      ],
    },
    operation_id: 'getPet',
    parameters: [
      { description: 'The pet id', form: 'llm', name: 'petId', required: true, type: 'string' },
      { description: '', form: 'llm', name: 'verbose', required: false, type: 'boolean' },
    ],
    server_url: `${serverUrl}/pets/{petId}`,
    summary: 'Find a pet by id',
  };
}

const allowed = { guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }), maxResponseBytes: 100_000, timeoutMs: 5_000 };
const KEY = { api_key_header: 'X-Api-Key', api_key_value: 'secret-key-1', auth_type: 'api_key' };

function ctx(http = allowed, credentials: Record<string, string> = KEY): ToolCallContext {
  return { credentials, http, signal: new AbortController().signal };
}

describe('invokeApiTool through the SSRF guard', () => {
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      if (req.url.startsWith('/pets/404')) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such pet');
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ id: req.url.split('/')[2]?.split('?')[0], name: 'Rex' }));
    });
  });

  afterAll(() => server.close());

  it('sends the request with the API key header and answers the JSON object and its text', async () => {
    const messages = await invokeApiTool(getPet(server.url), { petId: '7', verbose: true }, ctx());
    expect(messages).toEqual([
      { json: { id: '7', name: 'Rex' }, type: 'json' },
      { text: '{"id":"7","name":"Rex"}', type: 'text' },
    ]);
    const sent = server.requests.at(-1)!;
    expect(sent.method).toBe('GET');
    expect(sent.url).toBe('/pets/7?verbose=true');
    expect(sent.headers['x-api-key']).toBe('secret-key-1');
  });

  it("fails with Dify's message when the API answers an error status", async () => {
    await expect(invokeApiTool(getPet(server.url), { petId: '404' }, ctx())).rejects.toThrow(
      new ToolInvokeError('Request failed with status code 404 and no such pet'),
    );
  });

  it('refuses an address the SSRF guard does not allow, before anything is sent', async () => {
    const before = server.requests.length;
    const closed = { ...allowed, guard: createSsrfGuard({ allowedHosts: [] }) };
    const call = invokeApiTool(getPet(server.url), { petId: '7' }, ctx(closed));
    await expect(call).rejects.toBeInstanceOf(ToolInvokeError);
    await expect(invokeApiTool(getPet(server.url), { petId: '7' }, ctx(closed))).rejects.toThrow(
      /not allowed; add it to SSRF_ALLOWED_HOSTS/,
    );
    await expect(invokeApiTool(getPet('http://169.254.169.254'), { petId: '7' }, ctx(closed))).rejects.toThrow(
      /169\.254\.169\.254.+not allowed/,
    );
    expect(server.requests.length).toBe(before);
  });
});

describe('ApiToolProviders in the tool registry and the tool node', () => {
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
  });

  afterAll(() => server.close());

  function registry(stored: Record<string, StoredToolProvider>): { registry: ToolRegistry; asked: string[] } {
    const asked: string[] = [];
    const bus = {
      request: (_subject: string, payload: { providerType: string; provider: string }) => {
        asked.push(`${payload.providerType}:${payload.provider}`);
        return Promise.resolve({ provider: stored[`${payload.providerType}:${payload.provider}`] ?? null });
      },
    } as unknown as MessageBus;
    const tools = new ToolRegistry(bus, {
      ...testConfig(),
      tools: { fileMaxMb: 1, tavilyBaseUrl: 'http://127.0.0.1:9', timeoutSeconds: 5 },
    });
    new ApiToolProviders(tools).onModuleInit();
    return { asked, registry: tools };
  }

  const petshop = (): StoredToolProvider => ({
    credentials: KEY,
    name: 'petshop',
    providerType: 'api',
    settings: { bundles: [getPet(server.url)], schema: '...' },
  });

  it("gives the operation's spec and calls it", async () => {
    const { registry: tools } = registry({ 'api:petshop': petshop() });
    const resolved = await tools.resolve({ providerId: 'petshop', providerType: 'api', toolName: 'getPet', workspaceId: 'w' });
    expect(resolved.runtime.spec).toEqual({ description: 'Find a pet by id', name: 'getPet', parameters: getPet(server.url).parameters });
    expect(resolved.credentials).toEqual(KEY);
  });

  it('names an unknown tool and unreadable settings', async () => {
    const { registry: tools } = registry({
      'api:broken': { ...petshop(), name: 'broken', settings: { bundles: 'no' } },
      'api:petshop': petshop(),
    });
    const unknown = tools.resolve({ providerId: 'petshop', providerType: 'api', toolName: 'nope', workspaceId: 'w' });
    await expect(unknown).rejects.toMatchObject({ message: 'tool nope not found in api tool provider petshop', name: 'ToolNotFoundError' });
    const broken = tools.resolve({ providerId: 'broken', providerType: 'api', toolName: 'getPet', workspaceId: 'w' });
    await expect(broken).rejects.toBeInstanceOf(ToolRuntimeError);
    await expect(broken).rejects.toThrow(/cannot be read; save the provider again/);
  });

  it("runs a tool node of a Dify export, whose provider_id is the other instance's id, by its provider_name", async () => {
    const { registry: tools, asked } = registry({ 'api:petshop': petshop() });
    const executor = new ToolExecutor(tools, allowed);
    const job = testJob(
      'tool',
      {
        provider_id: '6f1c2d3e-0000-4000-8000-000000000001',
        provider_name: 'petshop',
        provider_type: 'api',
        tool_configurations: {},
        tool_name: 'getPet',
        tool_parameters: { petId: { type: 'mixed', value: '{{#start.pet#}}' } },
      },
      { start: { pet: 'rex' } },
    );
    const outcome = await executor.execute(job, testContext(job));
    expect(outputsOf(outcome)).toMatchObject({ json: [{ path: '/pets/rex' }], text: '{"path":"/pets/rex"}' });
    expect(asked).toEqual(['api:6f1c2d3e-0000-4000-8000-000000000001', 'api:petshop']);
    expect(server.requests.at(-1)!.headers['x-api-key']).toBe('secret-key-1');
  });

  it('fails the node with ToolProviderNotFoundError when the workspace has no such provider', async () => {
    const executor = new ToolExecutor(registry({}).registry, allowed);
    const job = testJob('tool', {
      provider_id: 'petshop',
      provider_name: 'petshop',
      provider_type: 'api',
      tool_name: 'getPet',
      tool_parameters: {},
    });
    const failure = failureOf(await executor.execute(job, testContext(job)));
    expect(failure.errorType).toBe('ToolProviderNotFoundError');
    expect(failure.error).toMatch(/api tool provider "petshop" not found in this workspace/);
  });
});
