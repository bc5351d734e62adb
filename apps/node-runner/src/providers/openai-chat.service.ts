import { estimateTokens, parseSse, postToProvider, readJson, transportError } from './provider-http.util';
import { ProviderRequestError } from './provider.exception';
import type { ChatMessage, ChatOptions, ChatProvider, ChatRequest, ChatResult, ProviderDeps, ToolCall } from './provider.types';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiChatConfig {
  /** Name used in error messages and usage pricing: "openai" or "openai_api_compatible". */
  provider: string;
  /** Up to and including the version segment, e.g. https://api.openai.com/v1 or http://vllm:8000/v1. */
  baseUrl: string;
  /** Optional: local servers (Ollama, llama.cpp) often need none. */
  apiKey?: string;
}

interface OpenAiToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

/**
 * Chat Completions client for OpenAI and servers speaking the same protocol (vLLM, Ollama, llama.cpp,
 * LiteLLM). Streams over SSE when the caller wants deltas, otherwise makes one blocking call. Servers that
 * omit usage get an estimate, so pricing and quotas always have numbers.
 */
export class OpenAiChatService implements ChatProvider {
  constructor(
    private readonly config: OpenAiChatConfig,
    private readonly deps: ProviderDeps,
  ) {}

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    const stream = options.onDelta !== undefined;
    const call = {
      provider: this.config.provider,
      url: `${this.config.baseUrl.replace(/\/+$/, '')}/chat/completions`,
      headers: this.config.apiKey ? { Authorization: `Bearer ${this.config.apiKey}` } : ({} as Record<string, string>),
      body: this.buildBody(request, stream),
      secrets: this.config.apiKey ? [this.config.apiKey] : [],
      signal: options.signal,
    };
    const response = await postToProvider(call, this.deps);
    let result: ChatResult;
    try {
      result = stream
        ? await this.readStream(parseSse(response.body), options.onDelta ?? (() => undefined), call)
        : this.readBlocking(await readJson(response, call), call);
    } catch (error) {
      response.cancel();
      throw transportError(call, error);
    }
    if (result.usage.promptTokens === 0 && result.usage.completionTokens === 0) {
      result.usage = {
        promptTokens: estimateTokens(request.messages.map((m) => m.content).join('\n')),
        completionTokens: estimateTokens(result.text + result.toolCalls.map((c) => c.arguments).join('')),
      };
    }
    return result;
  }

  private buildBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
    const params = Object.fromEntries(Object.entries(request.params).filter(([, v]) => v !== undefined && v !== null));
    const body: Record<string, unknown> = { ...params, model: request.model, messages: request.messages.map(toOpenAiMessage) };
    if (request.tools?.length) {
      body.tools = request.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    }
    if (request.responseFormat?.type === 'json_object') body.response_format = { type: 'json_object' };
    if (request.responseFormat?.type === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: request.responseFormat.name, schema: request.responseFormat.schema },
      };
    }
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    } else {
      delete body.stream;
      delete body.stream_options;
    }
    return body;
  }

  private readBlocking(json: unknown, call: { provider: string }): ChatResult {
    const record = json as {
      choices?: {
        message?: { content?: string | null; reasoning_content?: string; reasoning?: string; tool_calls?: OpenAiToolCallDelta[] };
        finish_reason?: string;
      }[];
      model?: string;
      usage?: OpenAiUsage;
    };
    const choice = record.choices?.[0];
    if (!choice)
      throw new ProviderRequestError(call.provider, 200, 'completion_request_error', `[${call.provider}] The reply has no choices`);
    const message = choice.message ?? {};
    const reasoning = message.reasoning_content ?? message.reasoning;
    return {
      text: message.content ?? '',
      ...(reasoning ? { reasoning } : {}),
      toolCalls: (message.tool_calls ?? []).map((c) => ({
        id: c.id ?? '',
        name: c.function?.name ?? '',
        arguments: c.function?.arguments ?? '',
      })),
      usage: toUsage(record.usage),
      finishReason: choice.finish_reason ?? 'stop',
      ...(typeof record.model === 'string' && record.model ? { responseModel: record.model } : {}),
    };
  }

  private async readStream(
    events: AsyncIterable<{ data: string }>,
    onDelta: (text: string) => void,
    call: { provider: string },
  ): Promise<ChatResult> {
    let text = '';
    let reasoning = '';
    let finishReason = 'stop';
    let usage: OpenAiUsage | undefined;
    let responseModel: string | undefined;
    const calls = new Map<number, ToolCall>();
    for await (const { data } of events) {
      if (data.trim() === '[DONE]') break;
      let chunk: {
        choices?: {
          delta?: {
            content?: string | null;
            reasoning_content?: string | null;
            reasoning?: string | null;
            tool_calls?: OpenAiToolCallDelta[];
          };
          finish_reason?: string | null;
        }[];
        model?: string;
        usage?: OpenAiUsage | null;
        error?: { message?: string } | string;
      };
      try {
        chunk = JSON.parse(data) as typeof chunk;
      } catch {
        continue;
      }
      if (chunk.error) {
        const message = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'stream error');
        throw new ProviderRequestError(call.provider, 200, 'completion_request_error', `[${call.provider}] ${message}`);
      }
      if (chunk.usage) usage = chunk.usage;
      if (typeof chunk.model === 'string' && chunk.model) responseModel = chunk.model;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta ?? {};
      if (delta.content) {
        text += delta.content;
        onDelta(delta.content);
      }
      const thought = delta.reasoning_content ?? delta.reasoning;
      if (thought) reasoning += thought;
      for (const part of delta.tool_calls ?? []) {
        // Deltas name their call by index; only the first carries id and name, later ones add argument text.
        const index = part.index ?? 0;
        const current = calls.get(index) ?? { id: '', name: '', arguments: '' };
        if (part.id) current.id = part.id;
        if (part.function?.name) current.name += part.function.name;
        if (part.function?.arguments) current.arguments += part.function.arguments;
        calls.set(index, current);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    return {
      text,
      ...(reasoning ? { reasoning } : {}),
      toolCalls: [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c),
      usage: toUsage(usage ?? undefined),
      finishReason,
      ...(responseModel ? { responseModel } : {}),
    };
  }
}

function toOpenAiMessage(message: ChatMessage): Record<string, unknown> {
  if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return {
      role: 'assistant',
      content: message.content || null,
      tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    };
  }
  return { role: message.role, content: message.content };
}

function toUsage(usage: OpenAiUsage | undefined): ChatResult['usage'] {
  return { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0 };
}
