import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError, type McpListToolsResponse, type McpProviderSettings } from '@weft/contracts';
import { AccountRepository } from '../accounts/account.repository';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { roleAtLeast } from '../accounts/workspace-role.util';
import {
  maskedHeaderValue,
  maskedServerUrl,
  mcpProviderView,
  mcpSettingsOf,
  mergeMaskedHeaders,
  storedIcon,
  UNCHANGED_SERVER_URL,
  type McpProviderCreate,
  type McpProviderUpdate,
  type McpProviderView,
} from './mcp-provider.dto';
import { McpProviderErrors } from './mcp-provider.exception';
import { McpProviderRepository } from './mcp-provider.repository';
import { McpServerRepository, type McpServerAddress } from './mcp-server.repository';
import { ToolProviderRepository, type ToolProviderRow } from './tool-provider.repository';
import { ToolProviderService } from './tool-provider.service';

// Dify's defaults for an MCP server's timeouts, in seconds.
const DEFAULT_TIMEOUT = 30;
const DEFAULT_SSE_READ_TIMEOUT = 300;

/** A URL an MCP server may have: http or https with a host, as Dify checks it; anything else is refused. */
function serverUrl(value: string): string {
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return url.href;
  } catch {
    // Refused below, with Dify's message.
  }
  throw McpProviderErrors.invalidUrl();
}

const urlHash = (url: string) => createHash('sha256').update(url).digest('hex');

/** The timeouts a body sets (at the top level as older consoles send them, or in `configuration`), else `fallback`. */
function timeoutsOf(
  body: McpProviderCreate,
  fallback: { sse_read_timeout: number; timeout: number },
): { sse_read_timeout: number; timeout: number } {
  return {
    sse_read_timeout: body.sse_read_timeout ?? body.configuration?.sse_read_timeout ?? fallback.sse_read_timeout,
    timeout: body.timeout ?? body.configuration?.timeout ?? fallback.timeout,
  };
}

/** The secrets of an MCP provider, sealed with its row: the URL (a URL may carry a token) and the headers. */
function secretsOf(url: string, headers: Record<string, string>): Record<string, string> {
  return { headers: JSON.stringify(headers), server_url: url };
}

function headersOf(secrets: Record<string, string>): Record<string, string> {
  try {
    const parsed = JSON.parse(secrets['headers'] ?? '{}') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, string>;
  } catch {
    // Unreadable headers are treated as none; saving the provider again replaces them.
  }
  return {};
}

/**
 * A workspace's MCP servers (Dify's `mcp` tool providers): adding, changing and removing them, and listing
 * their tools. Tools are listed by a node runner (the gateway has no route out), through its SSRF guard; a
 * server is stored only once its tools could be listed. The URL and the headers are sealed with the row,
 * like every tool provider secret, and only masked when answered.
 */
@Injectable()
export class McpProviderService {
  private readonly logger = new Logger(McpProviderService.name);

  constructor(
    private readonly tools: ToolProviderService,
    private readonly providers: ToolProviderRepository,
    private readonly mcp: McpProviderRepository,
    private readonly servers: McpServerRepository,
    private readonly accounts: AccountRepository,
  ) {}

  /** Adds a server: checks it is new to the workspace, lists its tools, then stores it. */
  async create(user: ConsoleUser, body: McpProviderCreate): Promise<McpProviderView> {
    const url = serverUrl(body.server_url);
    const headers = body.headers ?? {};
    const timeouts = timeoutsOf(body, { sse_read_timeout: DEFAULT_SSE_READ_TIMEOUT, timeout: DEFAULT_TIMEOUT });
    const values = { identifier: body.server_identifier, name: body.name, urlHash: urlHash(url) };
    await this.refuseConflicts(user.workspaceId, values);
    const listed = await this.listTools(user.workspaceId, { headers, serverUrl: url, ...this.address(timeouts) });
    const settings: McpProviderSettings = {
      authed: true,
      icon: storedIcon(body),
      masked_server_url: maskedServerUrl(url),
      name: body.name,
      server_identifier: body.server_identifier,
      server_url_hash: values.urlHash,
      ...timeouts,
      tools: listed.tools,
      transport: listed.transport,
    };
    const sealed = this.tools.seal(user.workspaceId, 'mcp', body.server_identifier, secretsOf(url, headers));
    let row: ToolProviderRow | undefined;
    try {
      row = await this.providers.insert(user.workspaceId, 'mcp', body.server_identifier, {
        createdBy: user.accountId,
        sealedCredentials: sealed,
        settings,
      });
    } catch (error) {
      // Another admin added the same name or URL in between (the partial unique indexes).
      const failed = error as { code?: string; driverError?: { code?: string } };
      if ((failed.code ?? failed.driverError?.code) === '23505') throw McpProviderErrors.taken();
      throw error;
    }
    if (!row) throw McpProviderErrors.identifierTaken(body.server_identifier);
    this.logger.log(
      `MCP server "${body.server_identifier}" added to workspace "${user.workspaceId}" with ${listed.tools.length} tools (${listed.transport})`,
    );
    return mcpProviderView(row, { author: await this.authorOf(row), maskedHeaders: this.masked(user, headers) });
  }

  /**
   * Changes a server. A URL sent back as Dify's placeholder (or as its mask) keeps the stored one; a new URL
   * is listed again before anything is saved. Headers replace the stored ones, a masked value keeping its
   * stored value; omitted headers clear them, as in Dify.
   */
  async update(user: ConsoleUser, body: McpProviderUpdate): Promise<void> {
    const row = await this.find(user, body.provider_id);
    const settings = mcpSettingsOf(row);
    const secrets = this.tools.open(row);
    const keepUrl = body.server_url.includes(UNCHANGED_SERVER_URL) || body.server_url === settings.masked_server_url;
    const url = keepUrl && secrets['server_url'] ? secrets['server_url'] : serverUrl(body.server_url);
    const headers = mergeMaskedHeaders(body.headers ?? {}, headersOf(secrets));
    const timeouts = timeoutsOf(body, settings);
    const values = { identifier: body.server_identifier, name: body.name, urlHash: urlHash(url) };
    await this.refuseConflicts(user.workspaceId, values, row.id);
    let { authed, tools, transport } = settings;
    if (values.urlHash !== settings.server_url_hash) {
      const listed = await this.listTools(
        user.workspaceId,
        { headers, serverUrl: url, ...this.address(timeouts) },
        'Failed to re-connect MCP server',
      );
      ({ tools, transport } = listed);
      authed = true;
    }
    const next: McpProviderSettings = {
      ...settings,
      authed,
      icon: storedIcon(body),
      masked_server_url: maskedServerUrl(url),
      name: body.name,
      server_identifier: body.server_identifier,
      server_url_hash: values.urlHash,
      ...timeouts,
      tools,
      transport,
    };
    // Sealed anew under the (possibly new) server identifier: the seal is bound to the row's name.
    const sealed = this.tools.seal(user.workspaceId, 'mcp', body.server_identifier, secretsOf(url, headers));
    const updated = await this.providers.update(user.workspaceId, row.id, {
      name: body.server_identifier,
      sealedCredentials: sealed,
      settings: next,
    });
    if (!updated) throw McpProviderErrors.taken();
    this.logger.log(`MCP server "${body.server_identifier}" of workspace "${user.workspaceId}" changed`);
  }

  /** Removes a server; tool nodes that name it fail until it is added again. */
  async delete(user: ConsoleUser, providerId: string): Promise<void> {
    const row = await this.find(user, providerId);
    if (!(await this.providers.delete(user.workspaceId, 'mcp', row.name))) throw McpProviderErrors.notFound();
    this.logger.log(`MCP server "${row.name}" removed from workspace "${user.workspaceId}"`);
  }

  /** One server with its stored tools and masked headers (`GET .../mcp/tools/{provider_id}`). */
  async detail(user: ConsoleUser, providerId: string): Promise<McpProviderView> {
    const row = await this.find(user, providerId);
    return mcpProviderView(row, { author: await this.authorOf(row), maskedHeaders: this.masked(user, headersOf(this.tools.open(row))) });
  }

  /** Lists the server's tools again and stores them (`GET .../mcp/update/{provider_id}`). */
  async refresh(user: ConsoleUser, providerId: string): Promise<McpProviderView> {
    const row = await this.find(user, providerId);
    const settings = mcpSettingsOf(row);
    const secrets = this.tools.open(row);
    if (!secrets['server_url']) throw McpProviderErrors.connectFailed('the server URL is not stored; save the server again');
    const headers = headersOf(secrets);
    const listed = await this.listTools(user.workspaceId, {
      headers,
      preferredTransport: settings.transport ?? null,
      serverUrl: secrets['server_url'],
      ...this.address(settings),
    });
    const saved = await this.mcp.saveTools(user.workspaceId, row.id, listed.tools, listed.transport);
    if (!saved) throw McpProviderErrors.notFound();
    this.logger.log(`Tools of MCP server "${row.name}" of workspace "${user.workspaceId}" listed again: ${listed.tools.length}`);
    return {
      ...mcpProviderView(saved, { author: await this.authorOf(saved), maskedHeaders: this.masked(user, headers) }),
      plugin_unique_identifier: settings.server_identifier,
    };
  }

  /** The workspace's servers, as Dify lists them: by name, `id` being the server identifier, no headers. */
  async list(user: ConsoleUser): Promise<McpProviderView[]> {
    const rows = await this.mcp.list(user.workspaceId);
    const authors = await this.accounts.membersByIds(
      user.workspaceId,
      rows.flatMap((row) => (row.created_by ? [row.created_by] : [])),
    );
    return rows.map((row) =>
      mcpProviderView(row, { author: row.created_by ? authors.get(row.created_by)?.name : undefined, idIsServerIdentifier: true }),
    );
  }

  private async find(user: ConsoleUser, providerId: string): Promise<ToolProviderRow> {
    const row = await this.mcp.find(user.workspaceId, providerId);
    if (!row) throw McpProviderErrors.notFound();
    return row;
  }

  private async authorOf(row: ToolProviderRow): Promise<string | undefined> {
    if (!row.created_by) return undefined;
    return (await this.accounts.membersByIds(row.workspace_id, [row.created_by])).get(row.created_by)?.name;
  }

  /** Headers as a member may see them: Dify's mask for admins, only their length for everyone else. */
  private masked(user: ConsoleUser, headers: Record<string, string>): Record<string, string> {
    const admin = roleAtLeast(user.role, 'admin');
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, admin ? maskedHeaderValue(value) : '*'.repeat(value.length)]),
    );
  }

  private address(timeouts: {
    sse_read_timeout: number;
    timeout: number;
  }): Pick<McpServerAddress, 'sseReadTimeoutSeconds' | 'timeoutSeconds'> {
    return { sseReadTimeoutSeconds: timeouts.sse_read_timeout, timeoutSeconds: timeouts.timeout };
  }

  private async refuseConflicts(
    workspaceId: string,
    values: { identifier: string; name: string; urlHash: string },
    exceptId?: string,
  ): Promise<void> {
    const clash = await this.mcp.conflicts(workspaceId, values, exceptId ?? null);
    if (clash.name) throw McpProviderErrors.nameTaken(values.name);
    if (clash.url) throw McpProviderErrors.urlTaken();
    if (clash.identifier) throw McpProviderErrors.identifierTaken(values.identifier);
  }

  /** Lists the server's tools through a node runner; a server that cannot be listed is a 400 naming why. */
  private async listTools(
    workspaceId: string,
    server: McpServerAddress,
    failure = 'Failed to connect to MCP server',
  ): Promise<{ tools: McpListToolsResponse['tools']; transport: 'streamable-http' | 'sse' }> {
    let answer: McpListToolsResponse;
    try {
      answer = await this.servers.listTools(workspaceId, server);
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'timeout' || error.code === 'unavailable')) {
        throw new DomainError('unavailable', 'No node runner answered to list the tools of the MCP server; try again in a moment');
      }
      throw error;
    }
    if (answer.error || !answer.transport) {
      throw new DomainError('invalid_param', `${failure}: ${answer.error?.message ?? 'the server answered no transport'}`);
    }
    return { tools: answer.tools, transport: answer.transport };
  }
}
