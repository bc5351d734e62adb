import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, isInitializeRequest, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** A tool call a test MCP server received. */
export interface RecordedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** The request headers of the HTTP request that carried the session (the Authorization header, ...). */
  headers: http.IncomingHttpHeaders;
}

/** What the test server requires of every request, when set: a header with this exact value, else 401. */
export interface TestMcpServerOptions {
  requiredHeader?: { name: string; value: string };
}

/** A real MCP server (the official SDK's Server) on 127.0.0.1, for the MCP tool specs; not used by production code. */
export interface TestMcpServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  url: string;
  /** Streamable HTTP endpoint: `<url>/mcp`. */
  streamableUrl: string;
  /** HTTP+SSE endpoint (the older transport): `<url>/sse`, messages posted to `<url>/messages`. */
  sseUrl: string;
  /** An endpoint that speaks only HTTP+SSE under a path naming neither transport: `<url>/legacy`. */
  legacyUrl: string;
  calls: RecordedToolCall[];
  /** Every HTTP request, as `METHOD path`, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A 1x1 transparent PNG, the `picture` tool's image. */
export const TEST_MCP_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** The test server's tools, as it lists them: plain JSON Schemas, as a server in any language would send. */
const TOOLS = [
  {
    description: 'Repeats a text a number of times.',
    inputSchema: {
      properties: {
        text: { description: 'The text to repeat', type: 'string' },
        times: { description: 'How many times', maximum: 5, minimum: 1, type: 'integer' },
        upper: { description: 'Upper-case the text', type: 'boolean' },
      },
      required: ['text'],
      type: 'object',
    },
    name: 'echo',
  },
  {
    description: 'The weather forecast for a city.',
    inputSchema: {
      properties: {
        city: { description: 'City name', type: 'string' },
        days: { description: 'Days ahead', type: 'integer' },
        units: { description: 'Units of the temperatures', enum: ['metric', 'imperial'], type: ['string', 'null'] },
      },
      required: ['city', 'days'],
      type: 'object',
    },
    name: 'forecast',
    outputSchema: {
      properties: { city: { type: 'string' }, days: { type: 'number' }, temperature: { type: 'number' } },
      required: ['city', 'days', 'temperature'],
      type: 'object',
    },
  },
  {
    description: 'The weather stations of a region, as a JSON list.',
    inputSchema: {
      properties: {
        filter: { description: 'Only stations matching', properties: { active: { type: 'boolean' } }, type: 'object' },
        region: { description: 'Region code', type: 'string' },
        tags: { description: 'Station tags', items: { type: 'string' }, type: 'array' },
      },
      required: ['region', 'tags'],
      type: 'object',
    },
    name: 'stations',
  },
  {
    description: 'Always fails.',
    inputSchema: { properties: { reason: { type: 'string' } }, type: 'object' },
    name: 'offline',
  },
  { description: 'A radar picture.', inputSchema: { properties: {}, type: 'object' }, name: 'picture' },
];

type ToolAnswer = { content: Record<string, unknown>[]; isError?: boolean; structuredContent?: Record<string, unknown> };

function answer(name: string, args: Record<string, unknown>): ToolAnswer {
  switch (name) {
    case 'echo': {
      const text = args.upper === true ? String(args.text).toUpperCase() : String(args.text);
      const times = typeof args.times === 'number' ? args.times : 1;
      return { content: [{ text: Array.from({ length: times }, () => text).join(' '), type: 'text' }] };
    }
    case 'forecast': {
      const structured = { city: String(args.city), days: Number(args.days), temperature: args.units === 'imperial' ? 70 : 21 };
      return { content: [{ text: JSON.stringify(structured), type: 'text' }], structuredContent: structured };
    }
    case 'stations': {
      const tags = Array.isArray(args.tags) ? args.tags : [];
      const stations = tags.map((tag, i) => ({ id: i + 1, region: args.region, tag }));
      return { content: [{ text: JSON.stringify(stations), type: 'text' }] };
    }
    case 'offline':
      return { content: [{ text: 'the station is offline', type: 'text' }], isError: true };
    case 'picture':
      return {
        content: [
          { text: 'radar attached', type: 'text' },
          { data: TEST_MCP_PNG_BASE64, mimeType: 'image/png', type: 'image' },
          { resource: { mimeType: 'text/plain', text: 'radar legend: blue is rain', uri: 'weather://legend' }, type: 'resource' },
        ],
      };
    default:
      return { content: [{ text: `Tool ${name} not found`, type: 'text' }], isError: true };
  }
}

// The SDK's low-level Server: its McpServer.registerTool types (zod shapes) are too heavy for the compiler here.
function buildServer(calls: RecordedToolCall[], headers: () => http.IncomingHttpHeaders): Server {
  const server = new Server({ name: 'weft-test-weather', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    calls.push({ arguments: args, headers: headers(), name: request.params.name });
    return answer(request.params.name, args);
  });
  return server;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/**
 * Starts a real MCP server with the SDK on an ephemeral port: streamable HTTP with sessions on `/mcp`,
 * HTTP+SSE on `/sse` (and on `/legacy`, which refuses streamable HTTP's POST), with the tools `echo`,
 * `forecast` (structured output), `stations` (a JSON list), `offline` (answers an error) and `picture`.
 */
export async function startTestMcpServer(options: TestMcpServerOptions = {}): Promise<TestMcpServer> {
  const calls: RecordedToolCall[] = [];
  const requests: string[] = [];
  const streamable = new Map<string, { transport: StreamableHTTPServerTransport; headers: http.IncomingHttpHeaders }>();
  const sse = new Map<string, { transport: SSEServerTransport; headers: http.IncomingHttpHeaders }>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://test');
    requests.push(`${req.method} ${url.pathname}`);
    const required = options.requiredHeader;
    if (required && req.headers[required.name.toLowerCase()] !== required.value) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    if (url.pathname === '/mcp') {
      const sessionId = req.headers['mcp-session-id'];
      const existing = typeof sessionId === 'string' ? streamable.get(sessionId) : undefined;
      if (existing) {
        await existing.transport.handleRequest(req, res, req.method === 'POST' ? await readJson(req) : undefined);
        return;
      }
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'no session' }));
        return;
      }
      const headers = req.headers;
      const transport = new StreamableHTTPServerTransport({
        onsessioninitialized: (id) => {
          streamable.set(id, { headers, transport });
        },
        sessionIdGenerator: () => randomUUID(),
      });
      transport.onclose = () => {
        if (transport.sessionId) streamable.delete(transport.sessionId);
      };
      await buildServer(calls, () => headers).connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    if ((url.pathname === '/sse' || url.pathname === '/legacy') && req.method === 'GET') {
      const transport = new SSEServerTransport('/messages', res);
      const headers = req.headers;
      sse.set(transport.sessionId, { headers, transport });
      transport.onclose = () => sse.delete(transport.sessionId);
      await buildServer(calls, () => headers).connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const session = sse.get(url.searchParams.get('sessionId') ?? '');
      if (!session) {
        res.writeHead(404).end('no such session');
        return;
      }
      await session.transport.handlePostMessage(req, res, await readJson(req));
      return;
    }
    res.writeHead(url.pathname === '/legacy' ? 405 : 404, { 'Content-Type': 'text/plain' }).end('not here');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    calls,
    close: async () => {
      await Promise.all([...streamable.values(), ...sse.values()].map(({ transport }) => transport.close().catch(() => undefined)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    legacyUrl: `${url}/legacy`,
    requests,
    sseUrl: `${url}/sse`,
    streamableUrl: `${url}/mcp`,
    url,
  };
}
