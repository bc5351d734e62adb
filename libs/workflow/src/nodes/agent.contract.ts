import { z } from 'zod';
import { NodeDataCommonSchema } from '../dsl/dsl.contract';
import { asList, asRecord } from '../dsl/dsl-value.util';
import { toolConfigurationInputs, type ToolInput } from '../tools/tool-parameters.util';
import { toolImportWarning } from './tool.contract';
import type { NodeTypeContract } from './node-type.types';

/** The agent strategies Weft runs, by the names Dify's agent plugin (and classic agent apps) give them. */
export const AGENT_STRATEGIES = {
  function_calling: 'function_calling',
  function_call: 'function_calling',
  ReAct: 'react',
  react: 'react',
} as const;

/** How an agent decides to call tools: the model's native function calling, or ReAct prompting for models without it. */
export type AgentStrategy = (typeof AGENT_STRATEGIES)[keyof typeof AGENT_STRATEGIES];

/** `data` of an agent node, with Dify's field names (Dify 1.x agent node). */
export const AgentNodeDataSchema = NodeDataCommonSchema.extend({
  agent_parameters: z.record(z.unknown()),
  agent_strategy_name: z.string().min(1),
  agent_strategy_provider_name: z.string().nullish(),
}).passthrough();

/** Typed view of an agent node's data. */
export type AgentNodeData = z.infer<typeof AgentNodeDataSchema>;

/** The value of one agent parameter: Dify wraps each as `{type, value}`. */
export function agentParameter(data: Record<string, unknown>, name: string): { type: string; value: unknown } | undefined {
  const raw = asRecord(data.agent_parameters)[name];
  if (raw === undefined) return undefined;
  const entry = asRecord(raw);
  return typeof entry.type === 'string' && 'value' in entry ? { type: entry.type, value: entry.value } : { type: 'constant', value: raw };
}

/** One tool an agent may call, as the agent node's `tools` parameter lists it. */
export interface AgentToolConfig {
  enabled: boolean;
  providerType: string;
  providerId: string;
  toolName: string;
  /** Parameters set by the app, not by the model (`auto: 0`, and `settings`), as tool inputs. */
  fixed: Record<string, ToolInput>;
}

/** The tools an agent node lists (enabled or not), read from Dify's shape. */
export function agentTools(data: Record<string, unknown>): AgentToolConfig[] {
  return asList(agentParameter(data, 'tools')?.value).map((item) => {
    const tool = asRecord(item);
    // Settings are `{value: X}` (or X); parameters the model does not fill are `{auto: 0, value: X}`. Each X is
    // plain or wrapped as `{type, value}`, as a tool node's configurations are.
    const given: Record<string, unknown> = {};
    for (const [name, setting] of Object.entries(asRecord(tool.settings))) {
      const entry = asRecord(setting);
      given[name] = 'value' in entry ? entry.value : setting;
    }
    for (const [name, parameter] of Object.entries(asRecord(tool.parameters))) {
      const entry = asRecord(parameter);
      if (entry.auto === 1 || entry.auto === true || entry.value === null || entry.value === undefined) continue;
      given[name] = entry.value;
    }
    const fixed = toolConfigurationInputs(given);
    return {
      enabled: tool.enabled !== false,
      fixed,
      providerId: String(tool.provider_name ?? tool.provider_id ?? ''),
      providerType: String(tool.type ?? tool.provider_type ?? 'builtin'),
      toolName: String(tool.tool_name ?? ''),
    };
  });
}

/** The agent node: a model that calls tools in a loop (function calling or ReAct) until it answers. */
export const AGENT_NODE_CONTRACT = {
  dataSchema: AgentNodeDataSchema,
  importWarnings: (data) => {
    const warnings: string[] = [];
    if (!Object.hasOwn(AGENT_STRATEGIES, data.agent_strategy_name as string)) {
      warnings.push(
        `uses the agent strategy "${String(data.agent_strategy_name)}", which Weft does not run (it runs function_calling and ReAct); the node will fail when it runs`,
      );
    }
    for (const tool of agentTools(data)) {
      if (!tool.enabled) continue;
      const warning = toolImportWarning({ provider_id: tool.providerId, provider_type: tool.providerType, tool_name: tool.toolName });
      if (warning) warnings.push(`has an agent tool that ${warning}`);
    }
    return warnings;
  },
  outputs: [
    { name: 'text', type: 'string' },
    { name: 'files', type: 'array[file]' },
    { name: 'json', type: 'array[object]' },
    { name: 'usage', type: 'object' },
  ],
  readReferences: (data, read) => {
    for (const name of ['instruction', 'query']) {
      const parameter = agentParameter(data, name);
      if (!parameter) continue;
      if (parameter.type === 'variable') read.selector(parameter.value, `agent_parameters.${name}.value`);
      else read.template(parameter.value, `agent_parameters.${name}.value`);
    }
    agentTools(data).forEach((tool, i) => {
      for (const [name, input] of Object.entries(tool.fixed)) {
        if (input.type === 'variable') read.selector(input.value, `agent_parameters.tools.value[${i}].${name}`);
        else read.template(input.value, `agent_parameters.tools.value[${i}].${name}`);
      }
    });
    read.template(asRecord(data.memory).query_prompt_template, 'memory.query_prompt_template');
  },
  role: 'step',
  runsIn: 'node-runner',
  streamsText: true,
} as const satisfies NodeTypeContract;
