import { parseSse, postToProvider, readJson, transportError } from './provider-http.util';
import { ProviderRequestError } from './provider.exception';
import type { ChatMessage, ChatOptions, ChatProvider, ChatRequest, ChatResult, ProviderDeps, ToolCall } from './provider.types';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** The Messages API requires max_tokens; used when the node's completion params leave it out. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export interface AnthropicMessagesConfig {
  /** Without the /v1 segment, as Dify's anthropic_api_url is. */
  baseUrl: string;
  apiKey: string;
}

// OpenAI-style parameters the Messages API rejects; dropped so a node written for OpenAI still runs.
const UNSUPPORTED_PARAMS = ['presence_penalty', 'frequency_penalty', 'response_format', 'json_schema', 'stream', 'stream_options'];

const STOP_REASONS: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/**
 * Anthropic Messages API client. System messages move to `system`; tool results travel as user-turn
 * `tool_result` blocks; `stop` becomes `stop_sequences`. The API has no JSON mode, so a json_schema response
 * format is served by forcing a tool whose input schema is the wanted schema (its input becomes the text),
 * and json_object by an instruction in the system prompt. Stop reasons are reported in OpenAI's words.
 */
export class AnthropicMessagesService implements ChatProvider {
  constructor(
    private readonly config: AnthropicMessagesConfig,
    private readonly deps: ProviderDeps,
  ) {}

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const stream = options.onDelta !== undefined;
    const base = this.config.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    const call = {
      provider: 'anthropic',
      url: `${base}/v1/messages`,
      headers: { 'x-api-key': this.config.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
      body: buildBody(request, stream),
      secrets: [this.config.apiKey],
      signal: options.signal,
    };
    const forcedTool = request.responseFormat?.type === 'json_schema' ? request.responseFormat.name : undefined;
    const response = await postToProvider(call, this.deps);
    let result: ChatResult;
    try {
      result = stream
        ? await readStream(parseSse(response.body), options.onDelta ?? (() => undefined), forcedTool)
        : readBlocking(await readJson(response, call), forcedTool);
    } catch (error) {
      response.cancel();
      throw transportError(call, error);
    }
    return result;
  }
}

function buildBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.params)) {
    if (value === undefined || value === null || UNSUPPORTED_PARAMS.includes(key)) continue;
    if (key === 'stop') params.stop_sequences = Array.isArray(value) ? value : [value];
    else params[key] = value;
  }
  const systemParts = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  if (request.responseFormat?.type === 'json_object') {
    systemParts.push('Respond with a single JSON object and nothing else.');
  }
  const body: Record<string, unknown> = {
    ...params,
    model: request.model,
    max_tokens: params.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: toAnthropicMessages(request.messages.filter((m) => m.role !== 'system')),
  };
  if (systemParts.length) body.system = systemParts.join('\n\n');
  const tools = (request.tools ?? []).map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
  if (request.responseFormat?.type === 'json_schema') {
    const { name, schema } = request.responseFormat;
    tools.push({ name, description: 'Return the answer as this tool input.', input_schema: schema });
    body.tool_choice = { type: 'tool', name };
  }
  if (tools.length) body.tools = tools;
  if (stream) body.stream = true;
  return body;
}

function toAnthropicMessages(messages: ChatMessage[]): { role: 'user' | 'assistant'; content: ContentBlock[] }[] {
  const out: { role: 'user' | 'assistant'; content: ContentBlock[] }[] = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks: ContentBlock[] = [];
    if (message.role === 'tool') {
      blocks.push({ type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content });
    } else {
      if (message.content) blocks.push({ type: 'text', text: message.content });
      for (const call of message.toolCalls ?? []) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseArguments(call.arguments) });
      }
    }
    // The API wants user and assistant turns to alternate, so consecutive same-role messages are merged.
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return out;
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return {};
  }
}

function readBlocking(json: unknown, forcedTool: string | undefined): ChatResult {
  const record = json as {
    content?: { type: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown }[];
    model?: string;
    stop_reason?: string;
    usage?: AnthropicUsage;
  };
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const block of record.content ?? []) {
    if (block.type === 'text') text += block.text ?? '';
    else if (block.type === 'thinking') reasoning += block.thinking ?? '';
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  return finish({ model: record.model, text, reasoning, toolCalls, stopReason: record.stop_reason, usage: record.usage ?? {} }, forcedTool);
}

async function readStream(
  events: AsyncIterable<{ event: string | undefined; data: string }>,
  onDelta: (text: string) => void,
  forcedTool: string | undefined,
): Promise<ChatResult> {
  let text = '';
  let reasoning = '';
  let stopReason: string | undefined;
  let model: string | undefined;
  const usage: AnthropicUsage = {};
  const blocks = new Map<number, ToolCall>();
  for await (const { event, data } of events) {
    let payload: {
      type?: string;
      index?: number;
      message?: { model?: string; usage?: AnthropicUsage };
      content_block?: { type: string; id?: string; name?: string };
      delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; stop_reason?: string };
      usage?: AnthropicUsage;
      error?: { type?: string; message?: string };
    };
    try {
      payload = JSON.parse(data) as typeof payload;
    } catch {
      continue;
    }
    switch (payload.type ?? event) {
      case 'message_start':
        Object.assign(usage, payload.message?.usage ?? {});
        model = payload.message?.model;
        break;
      case 'content_block_start':
        if (payload.content_block?.type === 'tool_use') {
          blocks.set(payload.index ?? 0, { id: payload.content_block.id ?? '', name: payload.content_block.name ?? '', arguments: '' });
        }
        break;
      case 'content_block_delta': {
        const delta = payload.delta ?? {};
        if (delta.type === 'text_delta' && delta.text) {
          text += delta.text;
          // A forced JSON tool streams no text; its JSON is delivered once complete, below.
          onDelta(delta.text);
        } else if (delta.type === 'thinking_delta' && delta.thinking) {
          reasoning += delta.thinking;
        } else if (delta.type === 'input_json_delta') {
          const block = blocks.get(payload.index ?? 0);
          if (block) block.arguments += delta.partial_json ?? '';
        }
        break;
      }
      case 'message_delta':
        if (payload.delta?.stop_reason) stopReason = payload.delta.stop_reason;
        // message_delta carries cumulative output tokens, so it replaces rather than adds.
        Object.assign(usage, payload.usage ?? {});
        break;
      case 'error':
        throw new ProviderRequestError(
          'anthropic',
          200,
          'completion_request_error',
          `[anthropic] ${payload.error?.type ?? 'error'}: ${payload.error?.message ?? 'stream error'}`,
        );
      default:
        break;
    }
  }
  const toolCalls = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ ...c, arguments: c.arguments || '{}' }));
  const result = finish({ model, text, reasoning, toolCalls, stopReason, usage }, forcedTool);
  if (forcedTool && result.text) onDelta(result.text);
  return result;
}

function finish(
  parts: {
    model: string | undefined;
    text: string;
    reasoning: string;
    toolCalls: ToolCall[];
    stopReason: string | undefined;
    usage: AnthropicUsage;
  },
  forcedTool: string | undefined,
): ChatResult {
  let { text, toolCalls } = parts;
  let stopReason = parts.stopReason;
  const forced = forcedTool ? toolCalls.find((c) => c.name === forcedTool) : undefined;
  if (forced) {
    text = forced.arguments;
    toolCalls = toolCalls.filter((c) => c !== forced);
    if (stopReason === 'tool_use') stopReason = 'end_turn';
  }
  const usage = parts.usage;
  return {
    text,
    ...(parts.reasoning ? { reasoning: parts.reasoning } : {}),
    toolCalls,
    usage: {
      promptTokens: (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0),
      completionTokens: usage.output_tokens ?? 0,
    },
    finishReason: STOP_REASONS[stopReason ?? 'end_turn'] ?? stopReason ?? 'stop',
    ...(typeof parts.model === 'string' && parts.model ? { responseModel: parts.model } : {}),
  };
}
