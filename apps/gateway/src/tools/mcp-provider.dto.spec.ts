import {
  maskedHeaderValue,
  maskedServerUrl,
  McpHeadersSchema,
  McpProviderCreateSchema,
  McpProviderSchema,
  mcpProviderView,
  mergeMaskedHeaders,
  storedIcon,
} from './mcp-provider.dto';
import type { ToolProviderRow } from './tool-provider.repository';

const body = {
  icon: '🌦',
  icon_background: '#FFEAD5',
  icon_type: 'emoji',
  name: 'Weather',
  server_identifier: 'weather',
  server_url: 'https://mcp.example.com/mcp',
};

describe('MCP provider requests', () => {
  it("takes Dify's body, with timeouts at the top level or in configuration", () => {
    expect(
      McpProviderCreateSchema.safeParse({ ...body, headers: { Authorization: 'Bearer x' }, sse_read_timeout: 60, timeout: 10 }).success,
    ).toBe(true);
    expect(McpProviderCreateSchema.safeParse({ ...body, configuration: { sse_read_timeout: 60, timeout: 10 } }).success).toBe(true);
  });

  it("refuses server identifiers Dify's console refuses, and timeouts that are not positive", () => {
    for (const server_identifier of ['Weather', 'with space', 'a'.repeat(25), '', 'ünï']) {
      expect(McpProviderCreateSchema.safeParse({ ...body, server_identifier }).success).toBe(false);
    }
    expect(McpProviderCreateSchema.safeParse({ ...body, timeout: 0 }).success).toBe(false);
    expect(McpProviderCreateSchema.safeParse({ ...body, configuration: { sse_read_timeout: -1 } }).success).toBe(false);
    expect(McpProviderCreateSchema.safeParse({ ...body, name: '  ' }).success).toBe(false);
  });

  it('refuses header shapes a request cannot carry', () => {
    const bad = [
      [],
      'Authorization: x',
      { Authorization: 5 },
      { Authorization: { value: 'x' } },
      { 'Bad Name': 'x' },
      { 'X-Key': 'a\r\nInjected: yes' },
      { Host: 'internal' },
      { 'Content-Length': '1' },
      { 'mcp-session-id': 's' },
      { 'X-Key': 'a', 'x-key': 'b' },
      Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-H${i}`, 'v'])),
    ];
    for (const headers of bad) expect(McpHeadersSchema.safeParse(headers).success).toBe(false);
    expect(McpHeadersSchema.safeParse({ Authorization: 'Bearer t', 'X-Api-Key': 'k' }).success).toBe(true);
  });
});

describe('MCP provider answers', () => {
  it('masks header values as Dify does: two characters at each end when longer than six', () => {
    expect(maskedHeaderValue('Bearer sesame-1234')).toBe('Be**************34');
    expect(maskedHeaderValue('123456')).toBe('******');
    expect(maskedHeaderValue('')).toBe('');
  });

  it('keeps a stored header value when the console sends its mask back, and takes any other value', () => {
    const stored = { Authorization: 'Bearer sesame-1234', 'X-Old': 'gone-value' };
    expect(mergeMaskedHeaders({ authorization: maskedHeaderValue(stored.Authorization), 'X-New': 'n' }, stored)).toEqual({
      'X-New': 'n',
      authorization: 'Bearer sesame-1234',
    });
    expect(mergeMaskedHeaders({ Authorization: 'Bearer other' }, stored)).toEqual({ Authorization: 'Bearer other' });
  });

  it('hides the path and query of a server URL, which often carry a token', () => {
    expect(maskedServerUrl('https://mcp.example.com/v1/abc123/mcp?key=s')).toBe('https://mcp.example.com/******?******');
    expect(maskedServerUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
  });

  it('stores an emoji icon with its background and an image icon as it is', () => {
    expect(storedIcon(body)).toEqual({ background: '#FFEAD5', content: '🌦' });
    expect(storedIcon({ icon: 'https://x/icon.png', icon_type: 'image' })).toBe('https://x/icon.png');
  });

  it("answers a stored provider in Dify's shape, with its tools' parameters from their input schemas", () => {
    const row: ToolProviderRow = {
      created_at: new Date('2026-01-01T00:00:00Z'),
      created_by: null,
      id: '6f1c3a52-0d5e-4f7b-9a1c-2b3d4e5f6a7b',
      name: 'weather',
      provider_type: 'mcp',
      sealed_credentials: 'sealed',
      settings: {
        authed: true,
        icon: { background: '#FFEAD5', content: '🌦' },
        masked_server_url: 'https://mcp.example.com/******',
        name: 'Weather',
        server_identifier: 'weather',
        server_url_hash: 'h',
        sse_read_timeout: 300,
        timeout: 30,
        tools: [
          {
            description: 'Stations',
            inputSchema: {
              properties: { region: { type: 'string' }, tags: { items: { type: 'string' }, type: 'array' } },
              required: ['region'],
            },
            name: 'stations',
          },
        ],
        transport: 'streamable-http',
      },
      updated_at: new Date('2026-01-02T00:00:00Z'),
      workspace_id: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
    };
    const view = mcpProviderView(row, { author: 'Ada', maskedHeaders: { Authorization: 'Be****34' } });
    expect(McpProviderSchema.safeParse(view).success).toBe(true);
    expect(view).toMatchObject({
      author: 'Ada',
      configuration: { sse_read_timeout: 300, timeout: 30 },
      id: row.id,
      is_team_authorization: true,
      masked_headers: { Authorization: 'Be****34' },
      name: 'Weather',
      server_identifier: 'weather',
      server_url: 'https://mcp.example.com/******',
      type: 'mcp',
      updated_at: 1767312000,
    });
    expect(view.tools[0]?.parameters).toEqual([
      expect.objectContaining({ form: 'llm', name: 'region', required: true, type: 'string' }),
      expect.objectContaining({ input_schema: { items: { type: 'string' }, type: 'array' }, name: 'tags', required: false, type: 'array' }),
    ]);
    expect(view.tools[0]?.parameters[0]).not.toHaveProperty('input_schema');
    // Lists answer the server identifier as the id and no headers, as Dify's do.
    const listed = mcpProviderView(row, { idIsServerIdentifier: true });
    expect(listed.id).toBe('weather');
    expect(listed).not.toHaveProperty('masked_headers');
    expect(listed.author).toBe('Anonymous');
  });
});
