import { AGENT_STEP_TEXT_LIMIT, type NodeJob, type NodeOutcome } from '@weft/contracts';
import {
  AGENT_STRATEGIES,
  AgentNodeDataSchema,
  agentParameter,
  agentTools,
  castToolParameters,
  renderTemplate,
  resolveToolInputs,
  type VariablePool,
} from '@weft/workflow';
import type { ChatProviderSource } from '../../providers/chat-providers.service';
import type { ChatMessage } from '../../providers/provider.types';
import type { DifyUsage } from '../../providers/usage.util';
import { invokeTool, type ToolJobContextFactory, type ToolRegistry } from '../../tools/tool-registry.service';
import { ToolRuntimeError, type ToolHttpOptions } from '../../tools/tool-runtime.types';
import { historyMessages, jobHistory, readMemory } from '../conversation-memory.util';
import { callModel, modelFailure, readModelConfig, usageMetadata, type ModelConfig } from '../model-call.util';
import { failed, succeeded, type NodeExecutionContext, type NodeJobExecutor } from '../node-job-executor.types';
import { conversationIdOf, foldToolMessages } from '../tool/tool.executor';
import {
  modelToolName,
  reactSystemPrompt,
  runFunctionCalling,
  runReact,
  toolJsonSchema,
  type AgentModel,
  type AgentThought,
  type AgentTool,
} from './agent-loop.util';

/** How many model turns an agent takes when its data does not say (Dify's default). */
export const DEFAULT_MAX_ITERATIONS = 5;
/** The most turns an agent may be given, whatever its data says (Dify's limit). */
export const MAX_ITERATIONS_LIMIT = 99;

/** The sum of several calls' usage, in Dify's shape (prices to 7 decimals, as strings). */
export function sumUsage(usages: readonly DifyUsage[]): DifyUsage | undefined {
  if (usages.length === 0) return undefined;
  const last = usages[usages.length - 1];
  const add = (pick: (u: DifyUsage) => number | string) => usages.reduce((sum, u) => sum + Number(pick(u)), 0);
  return {
    ...last,
    completion_price: add((u) => u.completion_price).toFixed(7),
    completion_tokens: add((u) => u.completion_tokens),
    latency: Math.round(add((u) => u.latency) * 1000) / 1000,
    prompt_price: add((u) => u.prompt_price).toFixed(7),
    prompt_tokens: add((u) => u.prompt_tokens),
    total_price: add((u) => u.total_price).toFixed(7),
    total_tokens: add((u) => u.total_tokens),
  };
}

function textParameter(data: Record<string, unknown>, name: string, pool: VariablePool): string {
  const parameter = agentParameter(data, name);
  if (!parameter) return '';
  if (parameter.type === 'variable') {
    const value = Array.isArray(parameter.value) ? pool.get(parameter.value.map(String)) : undefined;
    return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  }
  return renderTemplate(typeof parameter.value === 'string' ? parameter.value : String(parameter.value ?? ''), pool);
}

/** The agent's model, from `agent_parameters.model` (Dify's model selector: provider, model, mode, completion_params). */
function agentModel(data: Record<string, unknown>): ModelConfig | { error: string } {
  const value = agentParameter(data, 'model')?.value;
  const selector = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return readModelConfig({ model: { ...selector, name: selector['model'] ?? selector['name'] } });
}

/**
 * The node's `agent_log`: an entry per tool call (or one for a turn that called none), each naming the thought
 * (`position`) it belongs to, so the thoughts can be read back from a stored node run.
 */
export function agentLog(thoughts: readonly AgentThought[]): Record<string, unknown>[] {
  return thoughts.flatMap((t) => {
    const common = { created_at: t.createdAt, position: t.position, thought: t.thought };
    if (t.tools.length === 0) return [{ ...common, observation: '', tool: '', tool_input: {} }];
    return t.tools.map((tool) => ({ ...common, observation: tool.observation ?? '', tool: tool.name, tool_input: tool.input }));
  });
}

/** A thought as it goes out live: long tool inputs and observations cut to what a bus message may carry. */
function liveStep(thought: AgentThought): AgentThought {
  const cut = (text: string) => (text.length > AGENT_STEP_TEXT_LIMIT ? text.slice(0, AGENT_STEP_TEXT_LIMIT) : text);
  return {
    ...thought,
    thought: cut(thought.thought),
    tools: thought.tools.slice(0, 100).map((tool) => ({
      input: JSON.stringify(tool.input).length > AGENT_STEP_TEXT_LIMIT ? {} : tool.input,
      name: tool.name.slice(0, 200),
      observation: tool.observation === null ? null : cut(tool.observation),
    })),
  };
}

/**
 * The agent node (and the agent of an agent-chat app): a model with tools, in a loop bounded by
 * `maximum_iterations`, using function calling or ReAct. Tools are the workspace's (built-in, custom
 * OpenAPI, MCP), found through the tool registry; a tool's failure is an observation the model sees, not
 * the node's failure. The answer streams as it comes (function calling), each thought is reported as it changes
 * (`ctx.emitStep`), and the node's `agent_log` keeps the thoughts; usage is summed over the turns.
 */
export class AgentExecutor implements NodeJobExecutor {
  constructor(
    private readonly providers: ChatProviderSource,
    private readonly tools: ToolRegistry,
    private readonly http: ToolHttpOptions,
    private readonly jobContext?: ToolJobContextFactory,
  ) {}

  async execute(job: NodeJob, ctx: NodeExecutionContext): Promise<NodeOutcome> {
    const parsed = AgentNodeDataSchema.safeParse(job.data);
    if (!parsed.success) return failed('AgentNodeError', `Invalid agent node data: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
    const data = job.data;
    const strategyName = parsed.data.agent_strategy_name;
    if (!Object.hasOwn(AGENT_STRATEGIES, strategyName)) {
      return failed('AgentNodeError', `Agent strategy "${strategyName}" is not supported; Weft runs function_calling and ReAct.`);
    }
    const strategy = AGENT_STRATEGIES[strategyName as keyof typeof AGENT_STRATEGIES];
    const model = agentModel(data);
    if ('error' in model) return failed('AgentNodeError', model.error);
    const requested = Number(agentParameter(data, 'maximum_iterations')?.value ?? DEFAULT_MAX_ITERATIONS);
    const maxIterations = Math.min(
      MAX_ITERATIONS_LIMIT,
      Math.max(1, Number.isFinite(requested) ? Math.trunc(requested) : DEFAULT_MAX_ITERATIONS),
    );
    const instruction = textParameter(data, 'instruction', ctx.pool);
    const query = textParameter(data, 'query', ctx.pool);
    const inputs = { instruction, maximum_iterations: maxIterations, query, strategy: strategyName };

    let tools: Map<string, AgentTool>;
    // The files the tools produce, kept in the agent's `files` output as Dify's agent node keeps them.
    const files: unknown[] = [];
    try {
      tools = await this.agentTools(job, data, ctx, files);
    } catch (error) {
      const type = error instanceof ToolRuntimeError ? error.name : 'AgentNodeError';
      return failed(type, `Failed to get tool runtime: ${(error as Error).message}`, { inputs });
    }

    const history = historyMessages(jobHistory(job, readMemory(data)));
    const messages: ChatMessage[] = [];
    const definitions = [...tools.values()].map((tool) => tool.definition);
    const system = strategy === 'react' ? reactSystemPrompt(instruction, definitions) : instruction;
    if (system.trim()) messages.push({ content: system, role: 'system' });
    messages.push(...history);
    messages.push({ content: query || 'Hello', role: 'user' });

    const modelTurn: AgentModel = async (request, stream) => {
      const call = await callModel(
        this.providers,
        job,
        model,
        { messages: request.messages, ...(request.tools ? { tools: request.tools } : {}) },
        { signal: ctx.signal, ...(stream ? { onDelta: (text: string) => ctx.emitChunk(text) } : {}) },
      );
      return { text: call.result.text, toolCalls: call.result.toolCalls, usage: call.usage };
    };

    // Each thought goes out as it changes (the agent-chat app's live `agent_thought` events).
    const onStep = (thought: AgentThought) => ctx.emitStep(liveStep(thought));
    let run;
    try {
      run =
        strategy === 'react'
          ? await runReact(modelTurn, messages, tools, maxIterations, onStep)
          : await runFunctionCalling(modelTurn, messages, tools, maxIterations, onStep);
    } catch (error) {
      return modelFailure(error, { inputs });
    }
    if (strategy === 'react' && run.answer) ctx.emitChunk(run.answer);
    const usage = sumUsage(run.usages);
    const log = agentLog(run.thoughts);
    return succeeded({
      inputs,
      metadata: { ...(usage ? usageMetadata(usage) : {}), agent_log: log },
      outputs: { files, json: [], text: run.answer, ...(usage ? { usage } : {}) },
      processData: {
        agent_log: log,
        iterations: run.iterations,
        model_name: model.name,
        model_provider: model.provider,
        strategy: strategyName,
        tools: definitions.map((d) => d.name),
      },
    });
  }

  /** The enabled tools, resolved for the job's workspace, each with its fixed inputs and the definition the model sees. */
  private async agentTools(
    job: NodeJob,
    data: Record<string, unknown>,
    ctx: NodeExecutionContext,
    files: unknown[],
  ): Promise<Map<string, AgentTool>> {
    const tools = new Map<string, AgentTool>();
    const jobContext = this.jobContext?.(job, conversationIdOf(ctx.pool), ctx.signal);
    for (const config of agentTools(data)) {
      if (!config.enabled) continue;
      const resolved = await this.tools.resolve({
        providerId: config.providerId,
        providerType: config.providerType,
        toolName: config.toolName,
        workspaceId: job.workspaceId,
      });
      const spec = resolved.runtime.spec;
      const fixedValues = resolveToolInputs(config.fixed, ctx.pool, []);
      const name = modelToolName(spec, new Set(tools.keys()));
      tools.set(name, {
        call: async (args) => {
          try {
            const parameters = castToolParameters({ ...args, ...fixedValues }, spec.parameters);
            const outputs = foldToolMessages(await invokeTool(resolved, parameters, this.http, ctx.signal, jobContext));
            files.push(...(outputs['files'] as unknown[]));
            const text = String(outputs['text'] ?? '');
            const json = outputs['json'] as unknown[];
            if (!text && json.length === 0 && (outputs['files'] as unknown[]).length > 0) {
              // Dify's observation for a tool that answered files: the user gets them, the model is told so.
              return 'image has been created and sent to user already, you do not need to create it, just tell the user to check it now.';
            }
            return text || (json.length > 0 ? JSON.stringify(json.length === 1 ? json[0] : json) : 'the tool answered nothing');
          } catch (error) {
            return `tool invoke error: ${(error as Error).message}`;
          }
        },
        definition: {
          description: spec.description,
          name,
          parameters: toolJsonSchema(spec.parameters, new Set(Object.keys(config.fixed))),
        },
      });
    }
    return tools;
  }
}
