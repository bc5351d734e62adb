import type { NodeJob, NodeOutcome } from '@weft/contracts';
import {
  castToolParameters,
  resolveToolInputs,
  toolConfigurationInputs,
  toolInputs,
  ToolNodeDataSchema,
  ToolParameterError,
  type ToolNodeData,
  type WorkflowFile,
} from '@weft/workflow';
import { ToolInvokeError, ToolRuntimeError, type ToolHttpOptions, type ToolMessage } from '../../tools/tool-runtime.types';
import { invokeTool, type ToolJobContextFactory, type ToolRegistry } from '../../tools/tool-registry.service';
import { failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';

/**
 * What one tool call produced, in the tool node's outputs: `text`, `files`, `json` and any variables the tool
 * set. A stored file's File value goes to `files` and adds nothing to `text`, as in Dify's ToolNode.
 */
export function foldToolMessages(messages: readonly ToolMessage[]): Record<string, unknown> {
  let text = '';
  const files: WorkflowFile[] = [];
  const json: Record<string, unknown>[] = [];
  const variables: Record<string, unknown> = {};
  for (const message of messages) {
    if (message.type === 'text') text += message.text;
    else if (message.type === 'link') text += `Link: ${message.url}\n`;
    else if (message.type === 'json') json.push(message.json);
    else if (message.type === 'file') files.push(message.file);
    else if (message.type === 'variable') variables[message.name] = message.value;
  }
  return { ...variables, files, json, text };
}

/** The conversation of a chat turn (`sys.conversation_id`), or null. */
export function conversationIdOf(pool: NodeExecutionContext['pool']): string | null {
  const id = pool.get(['sys', 'conversation_id']);
  return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The tool node: finds the tool its data names (built-in, custom OpenAPI or MCP), fills the parameters
 * from the node's inputs and configuration (Dify's rules: variables by value, text inputs rendered), calls
 * it and folds what it answers into Dify's outputs. Errors carry Dify's prefixes and class names.
 */
export class ToolExecutor implements NodeJobExecutor {
  constructor(
    private readonly tools: ToolRegistry,
    private readonly http: ToolHttpOptions,
    private readonly jobContext?: ToolJobContextFactory,
  ) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const parsed = ToolNodeDataSchema.safeParse(job.data);
    if (!parsed.success) return failed('ToolNodeError', `Invalid tool node data: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
    const data: ToolNodeData = parsed.data;
    const toolInfo = { provider_id: data.provider_id, provider_type: data.provider_type, tool_name: data.tool_name };
    const metadata = { tool_info: toolInfo };

    let resolved;
    try {
      resolved = await this.tools.resolve({
        providerId: data.provider_id,
        providerName: data.provider_name ?? undefined,
        providerType: data.provider_type,
        toolName: data.tool_name,
        workspaceId: job.workspaceId,
      });
    } catch (error) {
      const type = error instanceof ToolRuntimeError ? error.name : 'ToolNodeError';
      return failed(type, `Failed to get tool runtime: ${describeFailure(error)}`, { metadata });
    }

    let parameters: Record<string, unknown>;
    try {
      const specs = resolved.runtime.spec.parameters;
      const configured = resolveToolInputs(toolConfigurationInputs(data.tool_configurations), ctx.pool, specs);
      const given = resolveToolInputs(toolInputs(data.tool_parameters), ctx.pool, specs);
      parameters = castToolParameters({ ...configured, ...given }, specs);
    } catch (error) {
      const type = error instanceof ToolParameterError ? error.name : 'ToolNodeError';
      return failed(type, describeFailure(error), { metadata });
    }

    try {
      const jobContext = this.jobContext?.(job, conversationIdOf(ctx.pool), ctx.signal);
      const messages = await invokeTool(resolved, parameters, this.http, ctx.signal, jobContext);
      return succeeded({ inputs: parameters, metadata, outputs: foldToolMessages(messages) });
    } catch (error) {
      if (error instanceof ToolRuntimeError) {
        return failed(error.name, `Failed to get tool runtime: ${error.message}`, { inputs: parameters, metadata });
      }
      const type = error instanceof ToolInvokeError ? error.name : 'ToolInvokeError';
      return failed(type, `Failed to invoke tool: ${describeFailure(error)}`, { inputs: parameters, metadata });
    }
  }
}
