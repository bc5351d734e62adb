import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RequestOf, ResponseOf } from '@weft/contracts';
import { OnRequest } from '@weft/messaging';
import { createSsrfGuard, listMcpTools, McpConnectionError, parseAllowedHosts, type SsrfGuard } from '@weft/outbound-http';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../../node-runner.config';

/**
 * Lists an MCP server's tools for the gateway (which has no route out of the platform's network): through
 * the same SSRF guard as the tool calls of workflows (SSRF_ALLOWED_HOSTS), with the server's headers and
 * timeouts, within the deadline the gateway gives. A server that cannot be listed is answered with the
 * reason, not thrown, so the gateway can word its error.
 */
@Injectable()
export class McpToolsHandler {
  private readonly logger = new Logger(McpToolsHandler.name);
  private readonly guard: SsrfGuard;
  private readonly maxResponseBytes: number;

  constructor(@Inject(NODE_RUNNER_CONFIG) config: NodeRunnerConfig) {
    this.guard = createSsrfGuard({ allowedHosts: parseAllowedHosts(config.httpRequest.ssrfAllowedHosts) });
    this.maxResponseBytes = config.httpRequest.maxResponseBytes;
  }

  @OnRequest('wf.tool.mcp.list.v1')
  async list(req: RequestOf<'wf.tool.mcp.list.v1'>): Promise<ResponseOf<'wf.tool.mcp.list.v1'>> {
    try {
      const listed = await listMcpTools({
        connectTimeoutMs: req.timeoutSeconds * 1000,
        guard: this.guard,
        headers: req.headers,
        maxResponseBytes: this.maxResponseBytes,
        preferredTransport: req.preferredTransport ?? undefined,
        readTimeoutMs: Math.min(req.sseReadTimeoutSeconds, req.deadlineSeconds) * 1000,
        signal: AbortSignal.timeout(req.deadlineSeconds * 1000),
        url: req.serverUrl,
      });
      return { error: null, tools: listed.tools.map((tool) => ({ ...tool })), transport: listed.transport };
    } catch (error) {
      const failure =
        error instanceof McpConnectionError
          ? { message: error.message, reason: error.reason }
          : { message: error instanceof Error ? error.message : String(error), reason: 'protocol' as const };
      this.logger.log(
        `Listing the tools of an MCP server for workspace "${req.workspaceId}" failed (${failure.reason}): ${failure.message}`,
      );
      return { error: failure, tools: [], transport: null };
    }
  }
}
