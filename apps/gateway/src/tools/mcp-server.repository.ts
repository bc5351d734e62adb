import { Injectable } from '@nestjs/common';
import type { McpListToolsResponse } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';

/** How long the gateway lets a node runner list a server's tools, within the console's request timeout. */
export const MCP_LIST_DEADLINE_SECONDS = 30;
// The bus waits a little longer than the listing may take, so the node runner's own answer arrives.
const BUS_GRACE_MS = 5_000;

/** Where and how to reach an MCP server to list its tools. */
export interface McpServerAddress {
  headers: Record<string, string>;
  preferredTransport?: 'streamable-http' | 'sse' | null;
  serverUrl: string;
  sseReadTimeoutSeconds: number;
  timeoutSeconds: number;
}

/**
 * The workspace's MCP servers, as the gateway reaches them: through a node runner, over the bus. The
 * gateway has no route out of the platform's network; node runners do, through their SSRF guard.
 */
@Injectable()
export class McpServerRepository {
  constructor(private readonly bus: MessageBus) {}

  /** The server's tools, or why they could not be listed. */
  listTools(workspaceId: string, server: McpServerAddress): Promise<McpListToolsResponse> {
    return this.bus.request(
      'wf.tool.mcp.list.v1',
      { ...server, deadlineSeconds: MCP_LIST_DEADLINE_SECONDS, workspaceId },
      { timeoutMs: MCP_LIST_DEADLINE_SECONDS * 1000 + BUS_GRACE_MS },
    );
  }
}
