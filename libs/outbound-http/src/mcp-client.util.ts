import { HttpRequestError, HttpTimeoutError } from './guarded-fetch.util';
import { guardedWebFetch } from './guarded-web-fetch.util';
import type { SsrfGuard } from './ssrf-guard.util';

// An MCP client over the guarded transport, with the official SDK: every request to the server (and each
// redirect hop) goes through the SSRF guard, with the given time and size limits. The SDK is loaded on first
// use, so services that never speak MCP do not load it.

/** How to reach one MCP server. */
export interface McpServerOptions {
  url: string;
  /** Sent with every request (an Authorization header, an API key). */
  headers: Record<string, string>;
  guard: SsrfGuard;
  /** Connecting to the server, per request (Dify's `timeout`). */
  connectTimeoutMs: number;
  /** Waiting for an answer or for the next event of a stream (Dify's `sse_read_timeout`). */
  readTimeoutMs: number;
  maxResponseBytes: number;
  /** Ends the whole exchange: connecting, the calls, closing. */
  signal?: AbortSignal;
  /** The transport the server answered on before: tried first when the URL leaves the choice open. */
  preferredTransport?: McpTransportKind;
}

/** The transports an MCP server may speak: the current streamable HTTP one and the older HTTP+SSE one. */
export type McpTransportKind = 'streamable-http' | 'sse';

/** A tool as an MCP server lists it (`tools/list`), with the fields Weft reads. */
export interface McpToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

/** One piece of content a tool answers (`text`, `image`, `audio`, `resource`, `resource_link`). */
export type McpContent = Record<string, unknown> & { type: string };

/** What `tools/call` answers. */
export interface McpToolResult {
  content: McpContent[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/**
 * The server could not be reached or did not speak MCP: refused by the SSRF guard, unreachable, timed out,
 * refused the credentials, or answered something else than MCP. The message says which, for the user.
 */
export class McpConnectionError extends Error {
  override readonly name = 'McpConnectionError';

  constructor(
    message: string,
    readonly reason: 'blocked' | 'unreachable' | 'unauthorized' | 'protocol',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Pages of tools/list read at most, and tools kept: a server that pages forever cannot hold a request.
const MAX_TOOL_PAGES = 20;
const MAX_TOOLS = 500;
const CLOSE_GRACE_MS = 1000;
const CLIENT_INFO = { name: 'weft', version: '1.0.0' };

/**
 * The transports to try for a server URL, as Dify chooses them: a path ending in `/mcp` is streamable HTTP,
 * one ending in `/sse` is HTTP+SSE; any other is tried with streamable HTTP first (the current transport, as
 * the MCP specification's backwards-compatibility advice says), then HTTP+SSE.
 */
export function mcpTransportsFor(url: string): McpTransportKind[] {
  const last = new URL(url).pathname.replace(/\/+$/, '').split('/').pop();
  if (last === 'mcp') return ['streamable-http'];
  if (last === 'sse') return ['sse'];
  return ['streamable-http', 'sse'];
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  const name = (error as { name?: unknown; constructor?: { name?: string } }).constructor?.name;
  return (name === 'StreamableHTTPError' || name === 'SseError') && typeof code === 'number' ? code : undefined;
}

/** Why connecting failed, for the user; `final` when another transport would fail the same way. */
function classify(error: unknown, server: McpServerOptions): { error: McpConnectionError; final: boolean } {
  if (error instanceof McpConnectionError) return { error, final: true };
  const cause = { cause: error };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'SsrfBlockedError')
    return { error: new McpConnectionError(message, 'blocked', cause), final: true };
  if (error instanceof HttpTimeoutError || (error instanceof HttpRequestError && error.code !== 'invalid_redirect')) {
    return { error: new McpConnectionError(message, 'unreachable', cause), final: true };
  }
  if (server.signal?.aborted)
    return { error: new McpConnectionError(`Connecting to ${server.url} was stopped`, 'unreachable', cause), final: true };
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    return {
      error: new McpConnectionError(
        `The MCP server refused the request (HTTP ${status}): check the headers sent to it (an Authorization header or API key)`,
        'unauthorized',
        cause,
      ),
      final: true,
    };
  }
  // The SSE transport reports a refusal by the guard only by its text, inside its own error.
  if (/are not allowed; add it to/.test(message)) return { error: new McpConnectionError(message, 'blocked', cause), final: true };
  const text = status !== undefined && status > 0 ? `the server answered HTTP ${status} (${message})` : message;
  return { error: new McpConnectionError(text, 'protocol', cause), final: false };
}

type Sdk = {
  Client: typeof import('@modelcontextprotocol/sdk/client/index.js').Client;
  SSEClientTransport: typeof import('@modelcontextprotocol/sdk/client/sse.js').SSEClientTransport;
  StreamableHTTPClientTransport: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPClientTransport;
};
type Client = InstanceType<Sdk['Client']>;

let sdk: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  sdk ??= Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/sse.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ]).then(([client, sse, streamable]) => ({
    Client: client.Client,
    SSEClientTransport: sse.SSEClientTransport,
    StreamableHTTPClientTransport: streamable.StreamableHTTPClientTransport,
  }));
  return sdk;
}

/**
 * Connects to the server (trying its transports in turn, see mcpTransportsFor), runs `use` with the
 * initialized client and closes the session. Failing to connect throws McpConnectionError; what `use`
 * throws is passed on as it is.
 */
export async function withMcpClient<T>(
  server: McpServerOptions,
  use: (client: Client, transport: McpTransportKind) => Promise<T>,
): Promise<T> {
  let url: URL;
  try {
    url = new URL(server.url);
  } catch {
    throw new McpConnectionError(`Invalid MCP server URL "${server.url}"`, 'protocol');
  }
  const { Client, SSEClientTransport, StreamableHTTPClientTransport } = await loadSdk();
  const fetch = guardedWebFetch({
    connectTimeoutMs: server.connectTimeoutMs,
    guard: server.guard,
    idleTimeoutMs: server.readTimeoutMs,
    maxResponseBytes: server.maxResponseBytes,
    signal: server.signal,
    timeoutMs: server.readTimeoutMs,
  });
  const requestInit = { headers: server.headers };
  const failures: string[] = [];
  const candidates = mcpTransportsFor(server.url);
  const preferred = server.preferredTransport;
  const kinds = preferred && candidates.includes(preferred) ? [preferred, ...candidates.filter((k) => k !== preferred)] : candidates;
  for (const [index, kind] of kinds.entries()) {
    const transport =
      kind === 'streamable-http'
        ? // Streamable HTTP reconnects a dropped event stream by itself; a call here is short, so it does not.
          new StreamableHTTPClientTransport(url, { fetch, reconnectionOptions: NO_RECONNECT, requestInit })
        : new SSEClientTransport(url, { fetch, requestInit });
    const client = new Client(CLIENT_INFO, { capabilities: {} });
    try {
      await client.connect(transport, { signal: server.signal, timeout: server.readTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      const { error: failure, final } = classify(error, server);
      if (final || index === kinds.length - 1) {
        if (failures.length === 0) throw failure;
        throw new McpConnectionError(`${[...failures, `${label(kind)}: ${failure.message}`].join('; ')}`, failure.reason, { cause: error });
      }
      failures.push(`${label(kind)}: ${failure.message}`);
      continue;
    }
    try {
      return await use(client, kind);
    } finally {
      await close(client, transport instanceof StreamableHTTPClientTransport ? transport : undefined);
    }
  }
  throw new McpConnectionError(`No transport to try for ${server.url}`, 'protocol');
}

const NO_RECONNECT = { initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, maxRetries: 0, reconnectionDelayGrowFactor: 1 };

const label = (kind: McpTransportKind) => (kind === 'sse' ? 'HTTP+SSE' : 'streamable HTTP');

async function close(client: Client, streamable: { terminateSession(): Promise<void> } | undefined): Promise<void> {
  // Ending the session frees it on the server at once (a server may refuse with 405; that is fine).
  if (streamable) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      streamable.terminateSession().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  }
  await client.close().catch(() => undefined);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The server's tools (every page of `tools/list`, up to 500 tools), and the transport it answered on. */
export async function listMcpTools(server: McpServerOptions): Promise<{ tools: McpToolDefinition[]; transport: McpTransportKind }> {
  return withMcpClient(server, async (client, transport) => {
    const tools: McpToolDefinition[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES && tools.length < MAX_TOOLS; page++) {
      const answer = await client.listTools(cursor ? { cursor } : undefined, { signal: server.signal, timeout: server.readTimeoutMs });
      for (const tool of answer.tools) {
        tools.push({
          description: tool.description ?? '',
          inputSchema: asRecord(tool.inputSchema),
          name: tool.name,
          ...(tool.outputSchema ? { outputSchema: asRecord(tool.outputSchema) } : {}),
          ...(tool.title ? { title: tool.title } : {}),
        });
      }
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return { tools: tools.slice(0, MAX_TOOLS), transport };
  });
}

/** Calls one tool with its arguments; a failed call (`isError`) is answered, not thrown. */
export async function callMcpTool(
  server: McpServerOptions,
  name: string,
  args: Record<string, unknown>,
  options: { timeoutMs: number },
): Promise<McpToolResult> {
  return withMcpClient(server, async (client) => {
    const answer = asRecord(
      await client.callTool({ arguments: args, name }, undefined, { signal: server.signal, timeout: options.timeoutMs }),
    );
    // Servers of protocol version 2024-10-07 answered `toolResult` instead of content.
    const content = Array.isArray(answer.content)
      ? (answer.content as McpContent[])
      : 'toolResult' in answer
        ? [{ text: JSON.stringify(answer.toolResult), type: 'text' }]
        : [];
    return {
      content,
      isError: answer.isError === true,
      ...(answer.structuredContent !== undefined ? { structuredContent: asRecord(answer.structuredContent) } : {}),
    };
  });
}
