import { Inject, Injectable } from '@nestjs/common';
import { MAX_TOOL_FILES_PER_CALL, RemoteError, type StoredToolProvider } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { createSsrfGuard, parseAllowedHosts } from '@weft/outbound-http';
import { builtinToolProvider, shortToolProviderName, type ToolProviderType } from '@weft/workflow';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../node-runner.config';
import { builtinToolCalls, type BuiltinToolCall } from './builtin/builtin-tools';
import type { ToolFileScope, ToolFileStore } from '../files/tool-files.service';
import {
  ToolInvokeError,
  ToolRuntimeError,
  type ToolHttpOptions,
  type ToolJobServices,
  type ToolMessage,
  type ToolRuntime,
} from './tool-runtime.types';

const LOOKUP_TIMEOUT_MS = 5_000;

/** Makes the tools of one kind of workspace provider (custom OpenAPI, MCP) from the provider the gateway stores. */
export interface ToolProviderKind {
  runtime(provider: StoredToolProvider, toolName: string): Promise<ToolRuntime>;
}

/** A tool ready to call, with the credentials its provider holds for the workspace. */
export interface ResolvedTool {
  runtime: ToolRuntime;
  credentials: Record<string, string>;
}

/** Makes the ToolJobContext of a job's tool calls. */
export type ToolJobContextFactory = (
  job: { appId: string; workspaceId: string },
  conversationId: string | null,
  signal: AbortSignal,
) => ToolJobContext;

/** What a job lends the tools it calls: its files and credentials, and where the files tools produce are kept. */
export interface ToolJobContext {
  files: ToolFileStore;
  scope: ToolFileScope;
  services: ToolJobServices;
}

/**
 * Calls a resolved tool with its provider's credentials, within the tool time budget (`TOOL_TIMEOUT`) and
 * the node's own cancellation: the one way the tool node and the agent call a tool. The bytes a tool answers
 * (`blob`) are stored as tool files (at most MAX_TOOL_FILES_PER_CALL per call) and come back as `file` messages.
 */
export async function invokeTool(
  tool: ResolvedTool,
  parameters: Record<string, unknown>,
  http: ToolHttpOptions,
  cancel: AbortSignal,
  job?: ToolJobContext,
): Promise<ToolMessage[]> {
  const signal = AbortSignal.any([cancel, AbortSignal.timeout(http.timeoutMs)]);
  const messages = await tool.runtime.invoke(parameters, { credentials: tool.credentials, http, job: job?.services, signal });
  const blobs = messages.filter((m) => m.type === 'blob').length;
  if (blobs === 0) return messages;
  if (!job) throw new ToolInvokeError('the tool answered a file, which cannot be kept outside a workflow job');
  if (blobs > MAX_TOOL_FILES_PER_CALL) {
    throw new ToolInvokeError(`the tool answered ${blobs} files; one call may produce at most ${MAX_TOOL_FILES_PER_CALL}`);
  }
  const stored: ToolMessage[] = [];
  for (const message of messages) {
    if (message.type !== 'blob') {
      stored.push(message);
      continue;
    }
    signal.throwIfAborted();
    const meta = { filename: message.meta.filename, mimeType: message.meta.mime_type };
    stored.push({ file: await job.files.save(job.scope, message.blob, meta), type: 'file' });
  }
  return stored;
}

/** Which tool a node or an agent asks for, in Dify's terms. */
export interface ToolReference {
  workspaceId: string;
  providerType: ToolProviderType | string;
  providerId: string;
  /** The node's `provider_name`: Dify exports name custom providers by their id there, which another instance does not have. */
  providerName?: string;
  toolName: string;
}

/**
 * Finds the tool a tool node (or an agent) names: built-in tools from the node runner's own code,
 * custom OpenAPI and MCP tools from the workspace's providers, which the gateway owns and answers over the
 * bus (settings and decrypted credentials, for the workspace of the job only). Nothing is cached, so a
 * credential changed in the console applies to the next call.
 */
@Injectable()
export class ToolRegistry {
  private readonly builtins: Record<string, Record<string, BuiltinToolCall>>;
  private readonly kinds = new Map<string, ToolProviderKind>();

  constructor(
    private readonly bus: MessageBus,
    @Inject(NODE_RUNNER_CONFIG) config: NodeRunnerConfig,
  ) {
    this.builtins = builtinToolCalls({
      providerGuard: createSsrfGuard({ allowedHosts: parseAllowedHosts(config.providers.allowedHosts) }),
      tavilyBaseUrl: config.tools.tavilyBaseUrl,
    });
  }

  /** Registers the runtime of a workspace provider type (`api`, `mcp`). */
  registerKind(type: 'api' | 'mcp', kind: ToolProviderKind): void {
    this.kinds.set(type, kind);
  }

  /** The tool, or ToolRuntimeError naming what is missing (provider, tool, credentials). */
  async resolve(ref: ToolReference): Promise<ResolvedTool> {
    if (ref.providerType === 'builtin') return this.builtin(ref);
    const kind = this.kinds.get(ref.providerType);
    if (!kind) throw new ToolRuntimeError(`tool provider type "${ref.providerType}" is not supported by Weft`);
    const type = ref.providerType as 'api' | 'mcp';
    let provider = await this.lookup(ref.workspaceId, type, ref.providerId);
    if (!provider && ref.providerName && ref.providerName !== ref.providerId)
      provider = await this.lookup(ref.workspaceId, type, ref.providerName);
    if (!provider) {
      throw new ToolRuntimeError(
        `${ref.providerType} tool provider "${ref.providerId}" not found in this workspace; add it in the console first`,
      );
    }
    return { credentials: provider.credentials, runtime: await kind.runtime(provider, ref.toolName) };
  }

  private async builtin(ref: ToolReference): Promise<ResolvedTool> {
    const provider = builtinToolProvider(ref.providerId);
    const name = shortToolProviderName(ref.providerId);
    const call = provider ? this.builtins[provider.name]?.[ref.toolName] : undefined;
    if (!provider) throw new ToolRuntimeError(`builtin provider ${ref.providerId} not found`);
    const spec = provider.tools.find((tool) => tool.name === ref.toolName);
    if (!spec || !call) throw new ToolRuntimeError(`builtin tool ${ref.toolName} of provider ${name} not found`, 'ToolNotFoundError');
    let credentials: Record<string, string> = {};
    if (provider.credentials.length > 0) {
      const stored = await this.lookup(ref.workspaceId, 'builtin', provider.name);
      const missing = provider.credentials.filter((field) => field.required && !stored?.credentials[field.name]);
      if (!stored || missing.length > 0) {
        throw new ToolRuntimeError(
          `provider_not_initialize: the tool provider "${provider.name}" has no credentials in this workspace (${missing.map((f) => f.name).join(', ')}); set them with POST /console/api/workspaces/current/tool-provider/builtin/${provider.name}/update`,
          'ToolProviderCredentialValidationError',
        );
      }
      credentials = stored.credentials;
    }
    return { credentials, runtime: { invoke: async (params, ctx) => call(params, ctx), spec } };
  }

  private async lookup(workspaceId: string, providerType: 'builtin' | 'api' | 'mcp', provider: string): Promise<StoredToolProvider | null> {
    try {
      const answer = await this.bus.request(
        'gateway.tool-provider.v1',
        { provider, providerType, workspaceId },
        { timeoutMs: LOOKUP_TIMEOUT_MS },
      );
      return answer.provider;
    } catch (error) {
      const reason = error instanceof RemoteError ? error.message : `the gateway did not answer (${(error as Error).message})`;
      throw new ToolRuntimeError(`could not load tool provider "${provider}": ${reason}`);
    }
  }
}
