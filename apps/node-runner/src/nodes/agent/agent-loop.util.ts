import type { AgentStep } from '@weft/contracts';
import type { ToolParameterSpec, ToolSpec } from '@weft/workflow';
import type { ChatMessage, ToolCall, ToolDefinition } from '../../providers/provider.types';
import type { DifyUsage } from '../../providers/usage.util';

/**
 * One thought of the agent (one model turn, Dify's MessageAgentThought): what the model said, and the tools it
 * called, each with its input and, once the tool answered, its observation.
 */
export type AgentThought = AgentStep;

/** Hears each thought as it changes: created, its tools chosen, each tool's result (the thought whole, each time). */
export type AgentStepListener = (thought: AgentThought) => void;

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
  thoughts: AgentThought[];
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
    // A tool that gave its parameter's JSON Schema (MCP tools) says what the items, fields and values are.
    const schema = parameter.inputSchema ?? {};
    const enumValues =
      parameter.options && parameter.options.length > 0 ? [...parameter.options] : Array.isArray(schema.enum) ? schema.enum : [];
    properties[parameter.name] = {
      description: parameter.description,
      type,
      ...(enumValues.length > 0 ? { enum: enumValues } : {}),
      // Model APIs refuse an array schema without `items` (OpenAI does).
      ...(type === 'array' ? { items: schema.items !== null && typeof schema.items === 'object' ? schema.items : {} } : {}),
      ...(type === 'object' && schema.properties !== null && typeof schema.properties === 'object'
        ? { properties: schema.properties }
        : {}),
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
  onStep: AgentStepListener = () => undefined,
): Promise<AgentRun> {
  const thoughts: AgentThought[] = [];
  const usages: DifyUsage[] = [];
  const definitions = [...tools.values()].map((tool) => tool.definition);
  let answer = '';
  let iterations = 0;
  for (let i = 0; i < maxIterations; i++) {
    iterations++;
    const last = i === maxIterations - 1 || definitions.length === 0;
    const thought = beginThought(thoughts, onStep);
    const turn = await model({ messages, ...(last ? {} : { tools: definitions }) }, true);
    usages.push(turn.usage);
    answer += turn.text;
    thought.thought = turn.text;
    if (last || turn.toolCalls.length === 0) {
      onStep(copyThought(thought));
      break;
    }
    const calls = turn.toolCalls.map((call) => ({ args: parseArguments(call.arguments), call }));
    thought.tools = calls.map(({ args, call }) => ({ input: args, name: call.name, observation: null }));
    onStep(copyThought(thought));
    messages.push({ content: turn.text, role: 'assistant', toolCalls: turn.toolCalls });
    for (const [index, { args, call }] of calls.entries()) {
      const tool = tools.get(call.name);
      const observation = tool ? await tool.call(args) : `there is no tool named ${call.name}`;
      thought.tools[index]!.observation = observation;
      onStep(copyThought(thought));
      messages.push({ content: observation, role: 'tool', toolCallId: call.id });
    }
  }
  return { answer, iterations, thoughts, usages };
}

/** A new, empty thought at the next position, announced at once (Dify shows it before the model answers). */
function beginThought(thoughts: AgentThought[], onStep: AgentStepListener): AgentThought {
  const thought: AgentThought = { createdAt: Math.floor(Date.now() / 1000), position: thoughts.length + 1, thought: '', tools: [] };
  thoughts.push(thought);
  onStep(copyThought(thought));
  return thought;
}

/** A snapshot the listener may keep while the loop goes on changing the thought. */
function copyThought(thought: AgentThought): AgentThought {
  return { ...thought, tools: thought.tools.map((tool) => ({ ...tool })) };
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
  onStep: AgentStepListener = () => undefined,
): Promise<AgentRun> {
  const thoughts: AgentThought[] = [];
  const usages: DifyUsage[] = [];
  let iterations = 0;
  for (let i = 0; i < maxIterations; i++) {
    iterations++;
    const thought = beginThought(thoughts, onStep);
    const turn = await model({ messages }, false);
    usages.push(turn.usage);
    const action = parseReactAction(turn.text);
    const last = i === maxIterations - 1;
    if (!action || action.action === 'Final Answer' || last) {
      const answer = !action ? turn.text.trim() : typeof action.input === 'string' ? action.input : JSON.stringify(action.input ?? '');
      // Dify's ReAct agent keeps the final answer as the last thought.
      thought.thought = answer;
      onStep(copyThought(thought));
      return { answer, iterations, thoughts, usages };
    }
    const args =
      action.input !== null && typeof action.input === 'object' && !Array.isArray(action.input)
        ? (action.input as Record<string, unknown>)
        : { input: action.input };
    thought.thought = action.thought;
    thought.tools = [{ input: args, name: action.action, observation: null }];
    onStep(copyThought(thought));
    const tool = tools.get(action.action);
    const observation = tool ? await tool.call(args) : `there is no tool named ${action.action}`;
    thought.tools[0]!.observation = observation;
    onStep(copyThought(thought));
    messages.push({ content: turn.text, role: 'assistant' });
    messages.push({ content: `Observation: ${observation}`, role: 'user' });
  }
  return { answer: '', iterations, thoughts, usages };
}
