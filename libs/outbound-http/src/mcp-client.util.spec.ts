import { startTestMcpServer, TestMcpServer } from '@weft/testing';
import { callMcpTool, listMcpTools, McpConnectionError, mcpTransportsFor, type McpServerOptions } from './mcp-client.util';
import { createSsrfGuard } from './ssrf-guard.util';

const open = createSsrfGuard({ allowedHosts: ['127.0.0.1'] });
const closed = createSsrfGuard({ allowedHosts: [] });

function options(url: string, extra: Partial<McpServerOptions> = {}): McpServerOptions {
  return { connectTimeoutMs: 2000, guard: open, headers: {}, maxResponseBytes: 1_000_000, readTimeoutMs: 5000, url, ...extra };
}

describe('mcpTransportsFor', () => {
  it('chooses the transport by the last path segment as Dify does, else tries streamable HTTP then SSE', () => {
    expect(mcpTransportsFor('https://x.example/mcp')).toEqual(['streamable-http']);
    expect(mcpTransportsFor('https://x.example/v1/mcp/')).toEqual(['streamable-http']);
    expect(mcpTransportsFor('https://x.example/sse')).toEqual(['sse']);
    expect(mcpTransportsFor('https://x.example/tools?key=1')).toEqual(['streamable-http', 'sse']);
    expect(mcpTransportsFor('https://x.example')).toEqual(['streamable-http', 'sse']);
  });
});

describe('the MCP client over the guarded transport', () => {
  let server: TestMcpServer;
  let secured: TestMcpServer;

  beforeAll(async () => {
    server = await startTestMcpServer();
    secured = await startTestMcpServer({ requiredHeader: { name: 'Authorization', value: 'Bearer sesame' } });
  });

  afterAll(async () => {
    await server.close();
    await secured.close();
  });

  it('lists the tools of a streamable HTTP server with their schemas, and ends the session', async () => {
    const { tools, transport } = await listMcpTools(options(server.streamableUrl));
    expect(transport).toBe('streamable-http');
    expect(tools.map((t) => t.name)).toEqual(['echo', 'forecast', 'stations', 'offline', 'picture']);
    const forecast = tools.find((t) => t.name === 'forecast')!;
    expect(forecast.description).toBe('The weather forecast for a city.');
    expect(forecast.inputSchema).toMatchObject({
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city', 'days'],
    });
    expect(forecast.outputSchema).toMatchObject({ properties: { temperature: { type: 'number' } } });
    // The session the listing opened is closed with DELETE.
    expect(server.requests.filter((r) => r === 'DELETE /mcp').length).toBeGreaterThan(0);
  });

  it('calls a tool over streamable HTTP and over HTTP+SSE', async () => {
    const viaStreamable = await callMcpTool(options(server.streamableUrl), 'echo', { text: 'hi', times: 2 }, { timeoutMs: 5000 });
    expect(viaStreamable).toEqual({ content: [{ text: 'hi hi', type: 'text' }], isError: false });
    const viaSse = await callMcpTool(options(server.sseUrl), 'echo', { text: 'sse' }, { timeoutMs: 5000 });
    expect(viaSse.content).toEqual([{ text: 'sse', type: 'text' }]);
    expect(server.requests).toContain('GET /sse');
  });

  it('falls back to HTTP+SSE when a server under another path refuses streamable HTTP', async () => {
    const before = server.requests.length;
    const { tools, transport } = await listMcpTools(options(server.legacyUrl));
    expect(tools).toHaveLength(5);
    expect(transport).toBe('sse');
    expect(server.requests.slice(before)).toEqual(expect.arrayContaining(['POST /legacy', 'GET /legacy']));
    // Told the server speaks HTTP+SSE, the client goes there first.
    const again = server.requests.length;
    await listMcpTools(options(server.legacyUrl, { preferredTransport: 'sse' }));
    expect(server.requests.slice(again)[0]).toBe('GET /legacy');
  });

  it('answers structured content, and a failed call with isError', async () => {
    const forecast = await callMcpTool(options(server.streamableUrl), 'forecast', { city: 'Oslo', days: 1 }, { timeoutMs: 5000 });
    expect(forecast.structuredContent).toEqual({ city: 'Oslo', days: 1, temperature: 21 });
    const offline = await callMcpTool(options(server.streamableUrl), 'offline', {}, { timeoutMs: 5000 });
    expect(offline).toEqual({ content: [{ text: 'the station is offline', type: 'text' }], isError: true });
  });

  it('sends the configured headers with every request', async () => {
    const result = await callMcpTool(
      options(secured.streamableUrl, { headers: { Authorization: 'Bearer sesame' } }),
      'echo',
      { text: 'in' },
      { timeoutMs: 5000 },
    );
    expect(result.content).toEqual([{ text: 'in', type: 'text' }]);
    expect(secured.calls.at(-1)?.headers.authorization).toBe('Bearer sesame');
  });

  it('says the server refused the credentials, without trying another transport', async () => {
    const before = secured.requests.length;
    const error = await listMcpTools(options(secured.url, { headers: { Authorization: 'Bearer wrong' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpConnectionError);
    expect(error).toMatchObject({ reason: 'unauthorized' });
    expect((error as Error).message).toMatch(/HTTP 401/);
    expect(secured.requests.slice(before)).toEqual(['POST /']);
  });

  it('refuses a loopback server unless allowed, before connecting', async () => {
    const before = server.requests.length;
    const error = await listMcpTools(options(server.url, { guard: closed })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'McpConnectionError', reason: 'blocked' });
    expect((error as Error).message).toMatch(/127\.0\.0\.1 \(loopback\) are not allowed; add it to SSRF_ALLOWED_HOSTS/);
    const viaSse = await listMcpTools(options(server.sseUrl, { guard: closed })).catch((e: unknown) => e);
    expect(viaSse).toMatchObject({ reason: 'blocked' });
    expect(server.requests.length).toBe(before);
  });

  it('says an unreachable server is unreachable', async () => {
    const error = await listMcpTools(options('http://127.0.0.1:9/mcp')).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'McpConnectionError', reason: 'unreachable' });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('names both transports when a server speaks neither', async () => {
    const error = await listMcpTools(options(`${server.url}/nothing-here`)).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'protocol' });
    expect((error as Error).message).toMatch(/^streamable HTTP: .*404.*; HTTP\+SSE: .*404/);
  });
});
