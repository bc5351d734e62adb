import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { McpProviderSettingsSchema, type McpProviderSettings, type StoredToolProvider } from '@weft/contracts';
import { callMcpTool, McpConnectionError } from '@weft/outbound-http';
import { mcpStoredTools, mcpToolSpec } from '@weft/workflow';
import { ToolRegistry, type ToolProviderKind } from '../tool-registry.service';
import { ToolInvokeError, ToolRuntimeError, type ToolCallContext, type ToolMessage, type ToolRuntime } from '../tool-runtime.types';
import { foldMcpResult } from './mcp-result.util';

/** Dify leaves out of an MCP call the parameters that are null or blank text. */
export function mcpArguments(parameters: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(parameters).filter(
      ([, value]) => value !== null && value !== undefined && !(typeof value === 'string' && value.trim() === ''),
    ),
  );
}

/** The headers stored for a provider (a JSON object of strings), or an error naming the provider. */
function storedHeaders(provider: StoredToolProvider): Record<string, string> {
  const raw = provider.credentials['headers'];
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new ToolRuntimeError(`the headers stored for MCP server "${provider.name}" cannot be read; save the server again`);
  }
  return parsed as Record<string, string>;
}

/**
 * The `mcp` tool provider kind: the tools of a workspace's MCP server, from the tool list the gateway stored
 * when the server was added or refreshed (so a run does not list them again), called with `tools/call`
 * through the node runner's SSRF guard with the server's headers and timeouts. A tool node names the server
 * by its `server_identifier` (Dify's `provider_id` for MCP tools).
 */
@Injectable()
export class McpToolKind implements ToolProviderKind, OnModuleInit {
  private readonly logger = new Logger(McpToolKind.name);

  constructor(private readonly registry: ToolRegistry) {}

  onModuleInit(): void {
    this.registry.registerKind('mcp', this);
  }

  async runtime(provider: StoredToolProvider, toolName: string): Promise<ToolRuntime> {
    const parsed = McpProviderSettingsSchema.safeParse(provider.settings);
    if (!parsed.success) throw new ToolRuntimeError(`the settings of MCP server "${provider.name}" cannot be read; save the server again`);
    const settings = parsed.data;
    const tool = mcpStoredTools(settings.tools).find((candidate) => candidate.name === toolName);
    if (!tool) {
      const hint = settings.authed
        ? `it lists ${mcpStoredTools(settings.tools)
            .map((t) => t.name)
            .join(', ')}; refresh its tools if it has changed`
        : 'its tools could not be listed yet; check the server and refresh its tools';
      throw new ToolRuntimeError(`tool ${toolName} not found in MCP server "${settings.name}" (${hint})`, 'ToolNotFoundError');
    }
    const spec = mcpToolSpec(tool);
    const hasOutputSchema = Boolean(tool.outputSchema && Object.keys(tool.outputSchema).length > 0);
    return {
      invoke: (parameters, ctx) => this.invoke(provider, settings, toolName, hasOutputSchema, mcpArguments(parameters), ctx),
      spec,
    };
  }

  private async invoke(
    provider: StoredToolProvider,
    settings: McpProviderSettings,
    toolName: string,
    hasOutputSchema: boolean,
    args: Record<string, unknown>,
    ctx: ToolCallContext,
  ): Promise<ToolMessage[]> {
    const url = provider.credentials['server_url'];
    if (!url) throw new ToolRuntimeError(`MCP server "${settings.name}" has no URL stored; save it again`);
    const server = {
      connectTimeoutMs: settings.timeout * 1000,
      guard: ctx.http.guard,
      headers: storedHeaders(provider),
      maxResponseBytes: ctx.http.maxResponseBytes,
      preferredTransport: settings.transport ?? undefined,
      readTimeoutMs: settings.sse_read_timeout * 1000,
      signal: ctx.signal,
      url,
    };
    let result;
    try {
      result = await callMcpTool(server, toolName, args, { timeoutMs: server.readTimeoutMs });
    } catch (error) {
      if (error instanceof McpConnectionError) throw new ToolInvokeError(`Failed to connect to MCP server: ${error.message}`);
      throw new ToolInvokeError(error instanceof Error ? error.message : String(error));
    }
    const folded = foldMcpResult(result, hasOutputSchema);
    if (folded.skipped.length > 0) {
      this.logger.warn(
        `MCP tool "${toolName}" of server "${settings.server_identifier}" answered content Weft does not keep (${folded.skipped.join(', ')}); it was left out`,
      );
    }
    return folded.messages;
  }
}
