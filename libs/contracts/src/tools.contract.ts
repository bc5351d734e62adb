import { z } from 'zod';

/** Where a tool a node runner calls comes from: a built-in provider, a custom OpenAPI provider or an MCP server. */
export const TOOL_PROVIDER_KINDS = ['builtin', 'api', 'mcp'] as const;
export type ToolProviderKind = (typeof TOOL_PROVIDER_KINDS)[number];

/** A node runner asks the gateway for a workspace's tool provider (its settings and decrypted credentials). */
export const ToolProviderLookupRequestSchema = z.object({
  provider: z.string().min(1).max(255),
  providerType: z.enum(TOOL_PROVIDER_KINDS),
  workspaceId: z.string().uuid(),
});

/**
 * A workspace's tool provider as the gateway stores it: `credentials` are the secrets (API keys, auth
 * headers), sealed at rest and decrypted only for this answer; `settings` is the rest (an OpenAPI
 * provider's schema and its operations, an MCP server's URL and tools).
 */
export const StoredToolProviderSchema = z.object({
  credentials: z.record(z.string(), z.string()),
  name: z.string(),
  providerType: z.enum(TOOL_PROVIDER_KINDS),
  settings: z.record(z.string(), z.unknown()),
});
export type StoredToolProvider = z.infer<typeof StoredToolProviderSchema>;

/** The provider, or null when the workspace has none by that name (for built-ins: no credentials set). */
export const ToolProviderLookupResponseSchema = z.object({ provider: StoredToolProviderSchema.nullable() });

/** The MCP transports a server may speak. */
export const MCP_TRANSPORTS = ['streamable-http', 'sse'] as const;

/**
 * The `settings` of an MCP provider (Dify's `mcp` provider type): what the console shows and node runners
 * read, none of it secret. Its secrets are `credentials.server_url` (a URL may carry a token) and
 * `credentials.headers` (a JSON object of header name to value).
 */
export const McpProviderSettingsSchema = z.object({
  /** Whether the last listing of the server's tools succeeded (Dify's `authed`). */
  authed: z.boolean().default(false),
  icon: z.union([z.string(), z.record(z.string(), z.string())]).default(''),
  /** The URL with its path hidden (`https://host/******`), as Dify shows it. */
  masked_server_url: z.string().default(''),
  /** The display name, unique in the workspace. */
  name: z.string(),
  /** The id tool nodes name the server by (`provider_id`), unique in the workspace; also the row's name. */
  server_identifier: z.string(),
  /** SHA-256 of the URL, so a URL is added once per workspace without storing it in the clear. */
  server_url_hash: z.string().default(''),
  /** Seconds to wait for an answer or the next event of a stream (Dify's default 300). */
  sse_read_timeout: z.number().positive().default(300),
  /** Seconds to connect (Dify's default 30). */
  timeout: z.number().positive().default(30),
  /** The server's tools as `tools/list` answered them. */
  tools: z.array(z.unknown()).default([]),
  /** The transport the server answered on last, tried first. */
  transport: z.enum(MCP_TRANSPORTS).nullish(),
});
export type McpProviderSettings = z.infer<typeof McpProviderSettingsSchema>;

/**
 * The gateway asks a node runner to list an MCP server's tools (when a server is added, its URL changes or
 * its tools are refreshed): node runners are the services that may reach the internet, through their SSRF
 * guard; the gateway has no route out.
 */
export const McpListToolsRequestSchema = z.object({
  /** How long the whole listing may take (connecting, initializing, every page), in seconds. */
  deadlineSeconds: z.number().positive().max(600),
  headers: z.record(z.string(), z.string()),
  preferredTransport: z.enum(MCP_TRANSPORTS).nullish(),
  serverUrl: z.string().min(1).max(4096),
  sseReadTimeoutSeconds: z.number().positive(),
  timeoutSeconds: z.number().positive(),
  workspaceId: z.string().uuid(),
});

/** A tool as the server listed it. */
export const McpListedToolSchema = z
  .object({
    description: z.string().optional(),
    inputSchema: z.record(z.string(), z.unknown()),
    name: z.string(),
    outputSchema: z.record(z.string(), z.unknown()).optional(),
    title: z.string().optional(),
  })
  .passthrough();

/** The tools and the transport the server answered on, or why it could not be listed. */
export const McpListToolsResponseSchema = z.object({
  error: z.object({ message: z.string(), reason: z.enum(['blocked', 'unreachable', 'unauthorized', 'protocol']) }).nullable(),
  tools: z.array(McpListedToolSchema),
  transport: z.enum(MCP_TRANSPORTS).nullable(),
});
export type McpListToolsResponse = z.infer<typeof McpListToolsResponseSchema>;

/** The most files one tool call may produce (Dify keeps no limit; a bound keeps a runaway tool from filling the store). */
export const MAX_TOOL_FILES_PER_CALL = 10;

/**
 * A node runner records a file a tool produced (`gateway.tool-file.create.v1`), after writing its bytes to the
 * shared file storage under `toolFileStorageKey(workspaceId, id, extension)`: the gateway derives the key from
 * these fields itself, so a record can only point at the workspace's own tool files.
 */
export const ToolFileCreateRequestSchema = z.object({
  appId: z.string().uuid(),
  conversationId: z.string().uuid().nullable(),
  /** With the dot, as Dify's `guess_extension` gives it (`.png`); `.bin` when unknown. */
  extension: z.string().regex(/^\.[a-z0-9]{1,10}$/),
  id: z.string().uuid(),
  mimeType: z.string().min(1).max(255),
  name: z.string().min(1).max(255),
  size: z.number().int().min(0),
  workspaceId: z.string().uuid(),
});
export type ToolFileCreateRequest = z.infer<typeof ToolFileCreateRequestSchema>;

/** The recorded file's signed link (`/files/tools/{id}{extension}?timestamp&nonce&sign`), valid for FILES_ACCESS_TIMEOUT. */
export const ToolFileCreateResponseSchema = z.object({ id: z.string().uuid(), url: z.string() });

/** A node runner reads a tool file of the job's workspace (`gateway.tool-file.v1`); another workspace's is not_found. */
export const ToolFileLookupRequestSchema = z.object({ toolFileId: z.string().uuid(), workspaceId: z.string().uuid() });
export const ToolFileLookupResponseSchema = z.object({
  /** With the dot. */
  extension: z.string(),
  mimeType: z.string(),
  name: z.string(),
  size: z.number().int().min(0),
  storageKey: z.string().min(1),
});
export type ToolFileInfo = z.infer<typeof ToolFileLookupResponseSchema>;

/** Where a tool file's bytes are stored: namespaced by workspace, named by the file's own id. */
export function toolFileStorageKey(workspaceId: string, id: string, extension: string): string {
  return `tool_files/${workspaceId}/${id}${extension}`;
}
