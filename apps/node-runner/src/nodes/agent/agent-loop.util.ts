import type { ToolParameterSpec, ToolSpec } from '@weft/workflow';
import type { ChatMessage, ToolCall, ToolDefinition } from '../../providers/provider.types';
import type { DifyUsage } from '../../providers/usage.util';

/** One thing the agent did: what it thought, which tool it called with what, and what the tool answered. */
export interface AgentStep {
  thought: string;
  tool: string;
  toolInput: Record<string, unknown>;
  observation: string;
}

/** A tool the agent may call: the definition the model sees, and the call (which never throws: failures are observations). */
export interface AgentTool {
  definition: ToolDefinition;
  call(args: Record<string, unknown>): Promise<string>;
}

/** One model turn as the loop needs it. */
export interface AgentModelTurn {
  text: string;
  toolCalls: ToolCall[];
  usage: DifyUsage;
}

/** Asks the model once; `stream` says whether its text may go to the client as it comes. */
export type AgentModel = (request: { messages: ChatMessage[]; tools?: ToolDefinition[] }, stream: boolean) => Promise<AgentModelTurn>;

/** What an agent run produced. */
export interface AgentRun {
  answer: string;
  steps: AgentStep[];
  usages: DifyUsage[];
  /** The iterations used (model turns). */
  iterations: number;
}

/** A JSON schema of a tool's parameters that the model fills (form `llm`, not set by the app). */
export function toolJsonSchema(parameters: readonly ToolParameterSpec[], fixed: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    if (parameter.form !== 'llm' || fixed.has(parameter.name) || parameter.type === 'file' || parameter.type === 'files') continue;
    const type =
      parameter.type === 'number'
        ? 'number'
        : parameter.type === 'boolean'
          ? 'boolean'
          : parameter.type === 'object'
            ? 'object'
            : parameter.type === 'array'
              ? 'array'
              : 'string';
    properties[parameter.name] = {
      description: parameter.description,
      type,
      ...(parameter.options && parameter.options.length > 0 ? { enum: [...parameter.options] } : {}),
      // Model APIs refuse an array schema without `items` (OpenAI does); the item type is not known here.
      ...(type === 'array' ? { items: {} } : {}),
    };
    if (parameter.required) required.push(parameter.name);
  }
  return { properties, required, type: 'object' };
}

/** A name a model API accepts for a tool (letters, digits, `_`, `-`, at most 64), unique among `taken`. */
export function modelToolName(spec: ToolSpec, taken: ReadonlySet<string>): string {
  const base = spec.name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60) || 'tool';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60)}_${i}`;
  return name;
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Function calling: the model sees the tools' definitions and calls them; each call's observation goes
 * back as a tool message, until the model answers without calling one or the iterations run out (the
 * last turn offers no tools, so the model has to answer). The answer is the text of every turn, streamed.
 */
export async function runFunctionCalling(
  model: AgentModel,
  messages: ChatMessage[],
  tools: ReadonlyMap<string, AgentTool>,
  maxIterations: number,
): Promise<AgentRun> {
  const steps: AgentStep[] = [];
  const usages: DifyUsage[] = [];
  const definitions = [...tools.values()].map((tool) => tool.definition);
  let answer = '';
  let iterations = 0;
  for (let i = 0; i < maxIterations; i++) {
    iterations++;
    const last = i === maxIterations - 1 || definitions.length === 0;
    const turn = await model({ messages, ...(last ? {} : { tools: definitions }) }, true);
    usages.push(turn.usage);
    answer += turn.text;
    if (last || turn.toolCalls.length === 0) {
      steps.push({ observation: '', thought: turn.text, tool: '', toolInput: {} });
      break;
    }
    messages.push({ content: turn.text, role: 'assistant', toolCalls: turn.toolCalls });
    for (const call of turn.toolCalls) {
      const args = parseArguments(call.arguments);
      const tool = tools.get(call.name);
      const observation = tool ? await tool.call(args) : `there is no tool named ${call.name}`;
      steps.push({ observation, thought: turn.text, tool: call.name, toolInput: args });
      messages.push({ content: observation, role: 'tool', toolCallId: call.id });
    }
  }
  return { answer, iterations, steps, usages };
}

/** The instructions that teach a model without function calling to pick tools (ReAct), with the tools it has. */
export function reactSystemPrompt(instruction: string, tools: readonly ToolDefinition[]): string {
  const names = tools.map((tool) => JSON.stringify(tool.name)).join(', ');
  const described = tools.map((tool) => `- ${tool.name}: ${tool.description} Input: ${JSON.stringify(tool.parameters)}`).join('\n');
  return [
    instruction.trim(),
    '',
    'You can use these tools:',
    described || '(none)',
    '',
    'To use a tool, write one JSON object in a ```json fenced block: {"action": <tool name>, "action_input": <the tool input as an object>}.',
    `The action must be one of ${names ? `${names} or ` : ''}"Final Answer". Write only one action per reply, after a line "Thought:" with your reasoning.`,
    'You will get the result in a message starting with "Observation:". Repeat as needed.',
    'When you know the answer, reply with {"action": "Final Answer", "action_input": <your answer to the user as text>}.',
  ]
    .join('\n')
    .trim();
}

/** The action in a ReAct reply: the JSON blob's `action` and `action_input`, or undefined when the reply has none. */
export function parseReactAction(text: string): { action: string; input: unknown; thought: string } | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1];
  const candidates = [fenced, text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)].filter((c): c is string => !!c && c.includes('{'));
  for (const candidate of candidates) {
    try {
      const parsed = JSON.parse(candidate.trim()) as Record<string, unknown>;
      if (typeof parsed.action === 'string') {
        const thought = (/Thought:\s*([\s\S]*?)(?:\n\s*Action:|```|\{)/.exec(text)?.[1] ?? '').trim();
        return { action: parsed.action, input: parsed.action_input, thought };
      }
    } catch {
      // not JSON: try the next candidate
    }
  }
  return undefined;
}

/**
 * ReAct: the model is told about the tools in its instructions and names an action in a JSON blob each
 * turn; the loop calls the tool and sends the observation back, until the model gives its final answer (or
 * answers without an action). Nothing is streamed until the answer is known: the turns hold the protocol.
 */
export async function runReact(
  model: AgentModel,
  messages: ChatMessage[],
  tools: ReadonlyMap<string, AgentTool>,
  maxIterations: number,
): Promise<AgentRun> {
  const steps: AgentStep[] = [];
  const usages: DifyUsage[] = [];
  let iterations = 0;
  for (let i = 0; i < maxIterations; i++) {
    iterations++;
    const turn = await model({ messages }, false);
    usages.push(turn.usage);
    const action = parseReactAction(turn.text);
    const last = i === maxIterations - 1;
    if (!action || action.action === 'Final Answer' || last) {
      const answer = !action ? turn.text.trim() : typeof action.input === 'string' ? action.input : JSON.stringify(action.input ?? '');
      steps.push({ observation: '', thought: action?.thought ?? '', tool: '', toolInput: {} });
      return { answer, iterations, steps, usages };
    }
    const args =
      action.input !== null && typeof action.input === 'object' && !Array.isArray(action.input)
        ? (action.input as Record<string, unknown>)
        : { input: action.input };
    const tool = tools.get(action.action);
    const observation = tool ? await tool.call(args) : `there is no tool named ${action.action}`;
    steps.push({ observation, thought: action.thought, tool: action.action, toolInput: args });
    messages.push({ content: turn.text, role: 'assistant' });
    messages.push({ content: `Observation: ${observation}`, role: 'user' });
  }
  return { answer: '', iterations, steps, usages };
}
