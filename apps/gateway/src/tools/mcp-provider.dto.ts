import { McpProviderSettingsSchema, type McpProviderSettings } from '@weft/contracts';
import { mcpStoredTools, mcpToolSpec, type McpStoredTool } from '@weft/workflow';
import { z } from 'zod';
import type { ToolProviderRow } from './tool-provider.repository';

/** What the console sends back in `server_url` to keep the stored URL (Dify's placeholder). */
export const UNCHANGED_SERVER_URL = '[__HIDDEN__]';

/** Dify's console rule for a server identifier, the name tool nodes call the server by. */
const SERVER_IDENTIFIER = /^[a-z0-9_-]{1,24}$/;
// RFC 9110 token characters: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
// Headers the transport sets itself: a configured value would break the protocol or the request.
const RESERVED_HEADERS = new Set([
  'accept',
  'connection',
  'content-length',
  'content-type',
  'host',
  'keep-alive',
  'last-event-id',
  'mcp-protocol-version',
  'mcp-session-id',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const MAX_HEADERS = 32;

/** The headers sent to an MCP server (an Authorization header, an API key): names and values a request can carry. */
export const McpHeadersSchema = z
  .record(z.string(), z.string({ invalid_type_error: 'each header value must be a string' }).max(8192))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADERS} headers` });
    const seen = new Set<string>();
    for (const name of names) {
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', message: `"${name}" is not a valid header name`, path: [name] });
      else if (RESERVED_HEADERS.has(lower))
        ctx.addIssue({ code: 'custom', message: `the header ${name} is set by the transport`, path: [name] });
      else if (seen.has(lower)) ctx.addIssue({ code: 'custom', message: `the header ${name} is given twice`, path: [name] });
      seen.add(lower);
      if (/[\r\n\0]/.test(headers[name]!))
        ctx.addIssue({ code: 'custom', message: `the value of ${name} holds a line break`, path: [name] });
    }
  });

const timeout = (max: number) => z.number().positive().max(max).nullish();

/** Dify's `configuration` object (newer consoles send the timeouts there instead of at the top level). */
const ConfigurationSchema = z
  .object({ sse_read_timeout: timeout(3600), timeout: timeout(600) })
  .passthrough()
  .nullish();

const McpProviderBodySchema = z
  .object({
    configuration: ConfigurationSchema,
    headers: McpHeadersSchema.nullish(),
    icon: z.string().max(2048),
    icon_background: z.string().max(64).nullish(),
    icon_type: z.string().max(32),
    name: z.string().trim().min(1).max(40),
    server_identifier: z.string().regex(SERVER_IDENTIFIER, "server_identifier must be 1 to 24 lower-case letters, digits, '_' or '-'"),
    server_url: z.string().trim().min(1).max(2048),
    /** Seconds to wait for an answer or the next event of a stream (Dify's default 300). */
    sse_read_timeout: timeout(3600),
    /** Seconds to connect (Dify's default 30). */
    timeout: timeout(600),
  })
  .passthrough();

/** `POST /console/api/workspaces/current/tool-provider/mcp`: adds an MCP server. */
export const McpProviderCreateSchema = McpProviderBodySchema;
export type McpProviderCreate = z.infer<typeof McpProviderCreateSchema>;

/** `PUT .../tool-provider/mcp`: changes the server `provider_id` names (its id, or its server identifier). */
export const McpProviderUpdateSchema = McpProviderBodySchema.extend({ provider_id: z.string().min(1).max(255) });
export type McpProviderUpdate = z.infer<typeof McpProviderUpdateSchema>;

/** `DELETE .../tool-provider/mcp`. */
export const McpProviderDeleteSchema = z.object({ provider_id: z.string().min(1).max(255) }).passthrough();

const I18n = z.object({ en_US: z.string(), zh_Hans: z.string() }).passthrough();

/** A tool of an MCP server as Dify's console lists it (`ToolApiEntity`). */
export const McpToolEntitySchema = z
  .object({
    author: z.string(),
    description: I18n,
    label: I18n,
    labels: z.array(z.string()),
    name: z.string(),
    output_schema: z.record(z.string(), z.unknown()),
    parameters: z.array(z.object({ form: z.literal('llm'), name: z.string(), required: z.boolean(), type: z.string() }).passthrough()),
  })
  .passthrough();

/** An MCP provider as Dify's console answers it (`ToolProviderApiEntity` of type mcp). */
export const McpProviderSchema = z
  .object({
    allow_delete: z.boolean(),
    author: z.string(),
    configuration: z.object({ sse_read_timeout: z.number(), timeout: z.number() }),
    description: I18n,
    icon: z.union([z.string(), z.record(z.string(), z.string())]),
    id: z.string(),
    is_team_authorization: z.boolean(),
    label: I18n,
    masked_headers: z.record(z.string(), z.string()).optional(),
    name: z.string(),
    server_identifier: z.string(),
    server_url: z.string(),
    tools: z.array(McpToolEntitySchema),
    type: z.literal('mcp'),
    updated_at: z.number().int(),
  })
  .passthrough();
export type McpProviderView = z.infer<typeof McpProviderSchema>;

/** `GET .../tools/mcp`. */
export const McpProviderListSchema = z.array(McpProviderSchema);

/** The icon as Dify stores it: an emoji with its background as an object, an image as its URL or file id. */
export function storedIcon(body: Pick<McpProviderCreate, 'icon' | 'icon_background' | 'icon_type'>): McpProviderSettings['icon'] {
  return body.icon_type === 'emoji' ? { background: body.icon_background ?? '', content: body.icon } : body.icon;
}

/** The URL as Dify shows it: its path hidden, since a path often carries a token. */
export function maskedServerUrl(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname && parsed.pathname !== '/' ? '/******' : parsed.pathname;
  return `${parsed.protocol}//${parsed.host}${path}${parsed.search ? '?******' : ''}`;
}

/** Dify's mask of a header value: its first and last two characters, when it is longer than six. */
export function maskedHeaderValue(value: string): string {
  return value.length > 6 ? `${value.slice(0, 2)}${'*'.repeat(value.length - 4)}${value.slice(-2)}` : '*'.repeat(value.length);
}

/**
 * Headers sent back by the console: a value equal to the stored value's mask keeps the stored value (the
 * console shows masked headers and sends them back unchanged); any other value replaces it.
 */
export function mergeMaskedHeaders(incoming: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  const byLowerName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
  return Object.fromEntries(
    Object.entries(incoming).map(([name, value]) => {
      const previous = byLowerName.get(name.toLowerCase());
      return [name, previous !== undefined && value === maskedHeaderValue(previous) ? previous : value];
    }),
  );
}

/** A stored tool as Dify's console lists it: parameters from its input schema, objects and arrays with their schema. */
export function mcpToolEntity(tool: McpStoredTool, author: string): z.infer<typeof McpToolEntitySchema> {
  const spec = mcpToolSpec(tool);
  const i18n = (text: string) => ({ en_US: text, zh_Hans: text });
  return {
    author,
    description: i18n(spec.description),
    label: i18n(tool.name),
    labels: [],
    name: tool.name,
    output_schema: tool.outputSchema ?? {},
    parameters: spec.parameters.map((p) => ({
      default: null,
      form: 'llm' as const,
      human_description: i18n(p.description),
      label: i18n(p.name),
      llm_description: p.description,
      name: p.name,
      options: [],
      required: p.required,
      type: p.type,
      ...(p.type === 'array' || p.type === 'object' ? { input_schema: p.inputSchema ?? {} } : {}),
    })),
  };
}

/** A row's MCP settings; a row whose settings do not parse is shown with what can be read. */
export function mcpSettingsOf(row: ToolProviderRow): McpProviderSettings {
  const parsed = McpProviderSettingsSchema.safeParse(row.settings);
  return parsed.success ? parsed.data : McpProviderSettingsSchema.parse({ name: row.name, server_identifier: row.name });
}

/**
 * An MCP provider as Dify's console answers it. `id` is the provider's id, except in lists, where Dify
 * answers the server identifier (both are accepted wherever a `provider_id` is asked for).
 */
export function mcpProviderView(
  row: ToolProviderRow,
  opts: { author?: string; idIsServerIdentifier?: boolean; maskedHeaders?: Record<string, string> } = {},
): McpProviderView {
  const settings = mcpSettingsOf(row);
  const author = opts.author || 'Anonymous';
  return {
    allow_delete: true,
    author,
    configuration: { sse_read_timeout: settings.sse_read_timeout, timeout: settings.timeout },
    description: { en_US: '', zh_Hans: '' },
    icon: settings.icon,
    icon_dark: '',
    id: opts.idIsServerIdentifier ? settings.server_identifier : row.id,
    is_dynamic_registration: true,
    is_team_authorization: settings.authed,
    label: { en_US: settings.name, zh_Hans: settings.name },
    labels: [],
    // Dify leaves out empty optional fields.
    ...(opts.maskedHeaders && Object.keys(opts.maskedHeaders).length > 0 ? { masked_headers: opts.maskedHeaders } : {}),
    name: settings.name,
    plugin_id: '',
    plugin_unique_identifier: '',
    server_identifier: settings.server_identifier,
    server_url: settings.masked_server_url,
    team_credentials: {},
    tools: mcpStoredTools(settings.tools).map((tool) => mcpToolEntity(tool, author)),
    type: 'mcp',
    updated_at: Math.floor(new Date(row.updated_at).getTime() / 1000),
  };
}
