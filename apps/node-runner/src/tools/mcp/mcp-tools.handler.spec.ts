import { startTestMcpServer, type TestMcpServer } from '@weft/testing';
import { testConfig } from '../../nodes/node-test.util';
import { McpToolsHandler } from './mcp-tools.handler';

const WORKSPACE = '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6';

describe('McpToolsHandler (the gateway asks a node runner to list a server)', () => {
  let server: TestMcpServer;
  // The test config allows 127.0.0.1 through the SSRF guard, as an operator's SSRF_ALLOWED_HOSTS would.
  const handler = new McpToolsHandler(testConfig());
  const request = (serverUrl: string, headers: Record<string, string> = {}) => ({
    deadlineSeconds: 10,
    headers,
    serverUrl,
    sseReadTimeoutSeconds: 5,
    timeoutSeconds: 2,
    workspaceId: WORKSPACE,
  });

  beforeAll(async () => {
    server = await startTestMcpServer({ requiredHeader: { name: 'Authorization', value: 'Bearer t' } });
  });
  afterAll(() => server.close());

  it('answers the tools and the transport the server answered on', async () => {
    const answer = await handler.list(request(server.streamableUrl, { Authorization: 'Bearer t' }));
    expect(answer.error).toBeNull();
    expect(answer.transport).toBe('streamable-http');
    expect(answer.tools.map((t) => t.name)).toEqual(['echo', 'forecast', 'stations', 'offline', 'picture']);
    const viaSse = await handler.list({ ...request(server.sseUrl, { Authorization: 'Bearer t' }), preferredTransport: 'sse' });
    expect(viaSse.transport).toBe('sse');
  });

  it('answers why a server cannot be listed: refused credentials, a blocked address, an unreachable one', async () => {
    expect(await handler.list(request(server.streamableUrl))).toMatchObject({
      error: { message: expect.stringMatching(/HTTP 401/), reason: 'unauthorized' },
      tools: [],
      transport: null,
    });
    const before = server.requests.length;
    expect(await handler.list(request(`http://127.0.0.2:${new URL(server.url).port}/mcp`))).toMatchObject({
      error: {
        message: expect.stringMatching(/127\.0\.0\.2 \(loopback\) are not allowed; add it to SSRF_ALLOWED_HOSTS/),
        reason: 'blocked',
      },
    });
    expect(await handler.list(request('http://169.254.169.254/latest/mcp'))).toMatchObject({ error: { reason: 'blocked' } });
    expect(server.requests.length).toBe(before);
    expect(await handler.list(request('http://127.0.0.1:9/mcp'))).toMatchObject({ error: { reason: 'unreachable' } });
  });
});
