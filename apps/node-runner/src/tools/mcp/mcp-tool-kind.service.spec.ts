import type { StoredToolProvider } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { createSsrfGuard, listMcpTools } from '@weft/outbound-http';
import { startTestMcpServer, type TestMcpServer } from '@weft/testing';
import { ToolExecutor } from '../../nodes/tool/tool.executor';
import { failureOf, outputsOf, testConfig, testContext, testJob, testToolFiles } from '../../nodes/node-test.util';
import { ToolRegistry } from '../tool-registry.service';
import { ToolInvokeError } from '../tool-runtime.types';
import { foldMcpResult } from './mcp-result.util';
import { mcpArguments, McpToolKind } from './mcp-tool-kind.service';

const http = { guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }), maxResponseBytes: 100_000, timeoutMs: 5_000 };

describe('foldMcpResult', () => {
  it("reads text as text, JSON objects and lists of objects as json messages, as Dify's MCP tool does", () => {
    const { messages } = foldMcpResult(
      {
        content: [
          { text: 'plain', type: 'text' },
          { text: ' {"a": 1} ', type: 'text' },
          { text: '[{"b": 2}, {"c": 3}]', type: 'text' },
          { text: '[1, 2]', type: 'text' },
          { text: '{not json}', type: 'text' },
        ],
      },
      false,
    );
    expect(messages).toEqual([
      { text: 'plain', type: 'text' },
      { json: { a: 1 }, type: 'json' },
      { json: { b: 2 }, type: 'json' },
      { json: { c: 3 }, type: 'json' },
      { text: '[1, 2]', type: 'text' },
      { text: '{not json}', type: 'text' },
    ]);
  });

  it('turns structured content into variables only when the tool declares an output schema', () => {
    const result = { content: [], structuredContent: { temperature: 21 } };
    expect(foldMcpResult(result, true).messages).toEqual([{ name: 'temperature', type: 'variable', value: 21 }]);
    expect(foldMcpResult(result, false).messages).toEqual([]);
  });

  it('keeps embedded text, makes images, audio and blob resources blob messages, and names what it cannot keep', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const folded = foldMcpResult(
      {
        content: [
          { data: png.toString('base64'), mimeType: 'image/png', type: 'image' },
          { data: 'AAAA', mimeType: 'audio/wav', type: 'audio' },
          { resource: { text: 'legend', uri: 'x://legend' }, type: 'resource' },
          { resource: { blob: 'JVBERg==', mimeType: 'application/pdf', uri: 'x://doc' }, type: 'resource' },
          { name: 'doc', type: 'resource_link', uri: 'x://doc' },
          { mimeType: 'image/png', type: 'image' },
        ],
      },
      false,
    );
    expect(folded.messages).toEqual([
      { blob: png, meta: { mime_type: 'image/png' }, type: 'blob' },
      { blob: Buffer.from('AAAA', 'base64'), meta: { mime_type: 'audio/wav' }, type: 'blob' },
      { text: 'legend', type: 'text' },
      { blob: Buffer.from('%PDF'), meta: { mime_type: 'application/pdf' }, type: 'blob' },
    ]);
    expect(folded.skipped).toEqual(['resource_link', 'image (image/png)']);
  });

  it('makes a call the server marks as failed a ToolInvokeError with its text', () => {
    expect(() => foldMcpResult({ content: [{ text: 'boom', type: 'text' }], isError: true }, false)).toThrow(new ToolInvokeError('boom'));
    expect(() => foldMcpResult({ content: [], isError: true }, false)).toThrow(/without a message/);
  });
});

describe('mcpArguments', () => {
  it('leaves out null and blank parameters, as Dify does', () => {
    expect(mcpArguments({ a: 'x', b: '', c: '  ', d: null, e: 0, f: false, g: [] })).toEqual({ a: 'x', e: 0, f: false, g: [] });
  });
});

describe('the mcp tool kind, through the tool node', () => {
  let server: TestMcpServer;
  let secured: TestMcpServer;
  let tools: unknown[];

  beforeAll(async () => {
    server = await startTestMcpServer();
    secured = await startTestMcpServer({ requiredHeader: { name: 'X-Api-Key', value: 'k-123' } });
    tools = (
      await listMcpTools({
        connectTimeoutMs: 2000,
        guard: http.guard,
        headers: {},
        maxResponseBytes: 1e6,
        readTimeoutMs: 5000,
        url: server.streamableUrl,
      })
    ).tools;
  });

  afterAll(async () => {
    await server.close();
    await secured.close();
  });

  function provider(url: string, extra: { headers?: Record<string, string>; settings?: Record<string, unknown> } = {}): StoredToolProvider {
    return {
      credentials: { headers: JSON.stringify(extra.headers ?? {}), server_url: url },
      name: 'weather',
      providerType: 'mcp',
      settings: { authed: true, name: 'Weather', server_identifier: 'weather', sse_read_timeout: 5, timeout: 2, tools, ...extra.settings },
    };
  }

  /** A registry with the mcp kind, whose gateway answers `stored` for the provider `weather`. */
  function registryWith(stored: StoredToolProvider | null): { registry: ToolRegistry; asked: unknown[] } {
    const asked: unknown[] = [];
    const bus = {
      request: (_subject: string, payload: unknown) => {
        asked.push(payload);
        return Promise.resolve({ provider: stored });
      },
    } as unknown as MessageBus;
    const registry = new ToolRegistry(bus, testConfig());
    new McpToolKind(registry).onModuleInit();
    return { asked, registry };
  }

  const node = (toolName: string, parameters: Record<string, unknown> = {}) => ({
    provider_id: 'weather',
    provider_name: 'Weather',
    provider_type: 'mcp',
    tool_configurations: {},
    tool_label: toolName,
    tool_name: toolName,
    tool_parameters: parameters,
  });

  it('calls the tool with the parameters cast to the types its input schema gives, by the server identifier', async () => {
    const { asked, registry } = registryWith(provider(server.streamableUrl));
    const job = testJob(
      'tool',
      node('echo', {
        text: { type: 'mixed', value: 'hi {{#start.name#}}' },
        times: { type: 'variable', value: ['start', 'n'] },
        upper: { type: 'constant', value: 'true' },
      }),
      { start: { n: '2', name: 'Ada' } },
    );
    const outcome = await new ToolExecutor(registry, http).execute(job, testContext(job));
    expect(outputsOf(outcome)).toEqual({ files: [], json: [], text: 'HI ADA HI ADA' });
    expect(outcome.inputs).toEqual({ text: 'hi Ada', times: 2, upper: true });
    expect(server.calls.at(-1)).toMatchObject({ arguments: { text: 'hi Ada', times: 2, upper: true }, name: 'echo' });
    expect(asked).toEqual([{ provider: 'weather', providerType: 'mcp', workspaceId: job.workspaceId }]);
  });

  it('answers JSON text as json, structured content as variables, and parses JSON text given for arrays', async () => {
    const { registry } = registryWith(provider(server.streamableUrl));
    const forecast = testJob('tool', node('forecast', { city: { type: 'mixed', value: 'Oslo' }, days: { type: 'constant', value: 3 } }));
    expect(outputsOf(await new ToolExecutor(registry, http).execute(forecast, testContext(forecast)))).toEqual({
      city: 'Oslo',
      days: 3,
      files: [],
      json: [{ city: 'Oslo', days: 3, temperature: 21 }],
      temperature: 21,
      text: '',
    });
    const stations = testJob(
      'tool',
      node('stations', { region: { type: 'mixed', value: 'N' }, tags: { type: 'mixed', value: '["coast","hill"]' } }),
    );
    expect(outputsOf(await new ToolExecutor(registry, http).execute(stations, testContext(stations))).json).toEqual([
      { id: 1, region: 'N', tag: 'coast' },
      { id: 2, region: 'N', tag: 'hill' },
    ]);
    expect(server.calls.at(-1)?.arguments).toEqual({ region: 'N', tags: ['coast', 'hill'] });
  });

  it('keeps the text of a picture answer and the image as a tool file of the job', async () => {
    const { registry } = registryWith(provider(server.streamableUrl));
    const job = testJob('tool', node('picture'));
    const files = testToolFiles();
    const jobContext = () => ({
      files,
      scope: { appId: job.appId, conversationId: null, workspaceId: job.workspaceId },
      services: { modelCredentials: () => Promise.resolve(null), readFile: () => Promise.reject(new Error('unused')) },
    });
    const outputs = outputsOf(await new ToolExecutor(registry, http, jobContext).execute(job, testContext(job)));
    expect(outputs).toMatchObject({ text: 'radar attachedradar legend: blue is rain' });
    expect(outputs['files']).toEqual([expect.objectContaining({ transfer_method: 'tool_file', related_id: files.saved[0]!.id })]);
    expect(files.saved[0]!.scope.workspaceId).toBe(job.workspaceId);
  });

  it('sends the stored headers, over HTTP+SSE too', async () => {
    const { registry } = registryWith(provider(secured.sseUrl, { headers: { 'X-Api-Key': 'k-123' } }));
    const job = testJob('tool', node('echo', { text: { type: 'constant', value: 'via sse' } }));
    expect(outputsOf(await new ToolExecutor(registry, http).execute(job, testContext(job))).text).toBe('via sse');
    expect(secured.calls.at(-1)?.headers['x-api-key']).toBe('k-123');
    const wrong = registryWith(provider(secured.streamableUrl, { headers: { 'X-Api-Key': 'nope' } }));
    const refused = failureOf(await new ToolExecutor(wrong.registry, http).execute(job, testContext(job)));
    expect(refused).toMatchObject({ errorType: 'ToolInvokeError' });
    expect(refused.error).toMatch(
      /^Failed to invoke tool: Failed to connect to MCP server: The MCP server refused the request \(HTTP 401\)/,
    );
  });

  it('fails with ToolInvokeError when the server answers an error, and ToolNotFoundError for a tool it does not list', async () => {
    const { registry } = registryWith(provider(server.streamableUrl));
    const offline = testJob('tool', node('offline'));
    expect(failureOf(await new ToolExecutor(registry, http).execute(offline, testContext(offline)))).toMatchObject({
      error: 'Failed to invoke tool: the station is offline',
      errorType: 'ToolInvokeError',
    });
    const missing = testJob('tool', node('hail'));
    const notFound = failureOf(await new ToolExecutor(registry, http).execute(missing, testContext(missing)));
    expect(notFound.errorType).toBe('ToolNotFoundError');
    expect(notFound.error).toContain('tool hail not found in MCP server "Weather" (it lists echo, forecast, stations, offline, picture;');
  });

  it('says a provider the workspace does not have is not found', async () => {
    const { registry } = registryWith(null);
    const job = testJob('tool', node('echo'));
    expect(failureOf(await new ToolExecutor(registry, http).execute(job, testContext(job)))).toMatchObject({
      error: 'Failed to get tool runtime: mcp tool provider "weather" not found in this workspace; add it in the console first',
      errorType: 'ToolProviderNotFoundError',
    });
  });

  it("goes through the node runner's SSRF guard: a loopback server is refused unless allowed", async () => {
    const { registry } = registryWith(provider(server.streamableUrl));
    const before = server.requests.length;
    const job = testJob('tool', node('echo', { text: { type: 'constant', value: 'x' } }));
    const guarded = { ...http, guard: createSsrfGuard({ allowedHosts: [] }) };
    const refused = failureOf(await new ToolExecutor(registry, guarded).execute(job, testContext(job)));
    expect(refused.errorType).toBe('ToolInvokeError');
    expect(refused.error).toMatch(/Failed to connect to MCP server: Requests to 127\.0\.0\.1 \(loopback\) are not allowed/);
    expect(server.requests.length).toBe(before);
  });

  it('refuses stored settings or headers it cannot read', async () => {
    const job = testJob('tool', node('echo'));
    const badSettings = registryWith({ ...provider(server.streamableUrl), settings: { name: 3 } });
    expect(failureOf(await new ToolExecutor(badSettings.registry, http).execute(job, testContext(job))).error).toMatch(
      /settings of MCP server "weather" cannot be read/,
    );
    const badHeaders = registryWith({
      ...provider(server.streamableUrl),
      credentials: { headers: '[1]', server_url: server.streamableUrl },
    });
    expect(failureOf(await new ToolExecutor(badHeaders.registry, http).execute(job, testContext(job))).error).toMatch(
      /headers stored for MCP server "weather" cannot be read/,
    );
  });
});
