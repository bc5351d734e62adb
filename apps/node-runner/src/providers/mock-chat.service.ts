import type { ChatOptions, ChatProvider, ChatRequest, ChatResult, ToolCall, ToolDefinition } from './provider.types';

export const MOCK_PROVIDER_NAME = 'weft-mock';

const WORDS_PER_CHUNK = 3;

/**
 * The built-in `weft-mock` provider, for demos and tests when no API key is configured. Everything is a
 * pure function of the request, so a workflow run twice gives identical output:
 * - text is `"Mock reply to: " + <last user message>`, streamed through onDelta in chunks of three words;
 * - token counts are whitespace-separated word counts (prompt: every message; completion: the answer);
 * - with a json_schema response format the text is a JSON object built from the schema: each property
 *   takes a value written as `name: value` in the last user message when there is one, otherwise a typed
 *   placeholder (string "mock <name>", number 0, boolean false, array [], enum's first value);
 *   json_object gives `{"reply": <text>}`;
 * - with tools and no tool result yet, it calls the first tool with arguments built the same way from
 *   the tool's parameter schema (finishReason "tool_calls"); after a tool result it answers in text.
 */
export class MockChatService implements ChatProvider {
  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResult> {
    if (options.signal?.aborted)
      throw options.signal.reason instanceof Error ? options.signal.reason : new Error('The request was aborted');
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const promptTokens = request.messages.reduce((sum, m) => sum + countWords(m.content), 0);
    const lastMessage = request.messages[request.messages.length - 1];

    if (request.tools?.length && !request.responseFormat && lastMessage?.role !== 'tool') {
      const tool: ToolDefinition = request.tools[0];
      const call: ToolCall = {
        id: `call_mock_${tool.name}`,
        name: tool.name,
        arguments: JSON.stringify(valueFromSchema(tool.parameters, '', lastUser)),
      };
      return {
        text: '',
        toolCalls: [call],
        usage: { promptTokens, completionTokens: countWords(call.arguments) },
        finishReason: 'tool_calls',
      };
    }

    const reply = `Mock reply to: ${lastUser}`;
    let text = reply;
    if (request.responseFormat?.type === 'json_schema') {
      text = JSON.stringify(valueFromSchema(request.responseFormat.schema, '', lastUser));
    } else if (request.responseFormat?.type === 'json_object') {
      text = JSON.stringify({ reply });
    }
    if (options.onDelta) {
      for (const chunk of chunkWords(text)) {
        // A turn of the event loop between chunks, so consumers see them arrive separately as in a real stream.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.signal?.aborted)
          throw options.signal.reason instanceof Error ? options.signal.reason : new Error('The request was aborted');
        options.onDelta(chunk);
      }
    }
    return { text, toolCalls: [], usage: { promptTokens, completionTokens: countWords(text) }, finishReason: 'stop' };
  }
}

/** Whitespace-separated words: the mock provider's token count. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

/** Splits text into chunks of a few words that concatenate back to exactly the input. */
export function chunkWords(text: string): string[] {
  const pieces = text.match(/\S+\s*/g) ?? [];
  const leading = /^\s*/.exec(text)?.[0] ?? '';
  const chunks: string[] = [];
  for (let i = 0; i < pieces.length; i += WORDS_PER_CHUNK) chunks.push(pieces.slice(i, i + WORDS_PER_CHUNK).join(''));
  if (leading && chunks.length) chunks[0] = leading + chunks[0];
  return chunks.length ? chunks : text ? [text] : [];
}

/** A deterministic value for a JSON schema, preferring `name: value` pairs found in the prompt. */
export function valueFromSchema(schema: unknown, name: string, prompt: string): unknown {
  const node = (schema ?? {}) as Record<string, unknown>;
  if (Array.isArray(node.enum) && node.enum.length) return node.enum[0];
  if ('const' in node) return node.const;
  const type = Array.isArray(node.type) ? node.type.find((t) => t !== 'null') : node.type;
  const found = name ? findInPrompt(prompt, name) : undefined;
  switch (type) {
    case 'object':
    case undefined: {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      if (type === undefined && Object.keys(properties).length === 0) return found ?? `mock ${name || 'value'}`;
      return Object.fromEntries(Object.keys(properties).map((key) => [key, valueFromSchema(properties[key], key, prompt)]));
    }
    case 'string':
      return found ?? `mock ${name || 'value'}`;
    case 'number':
    case 'integer': {
      const number = found === undefined ? NaN : Number(found);
      if (Number.isNaN(number)) return 0;
      return type === 'integer' ? Math.trunc(number) : number;
    }
    case 'boolean':
      return found?.toLowerCase() === 'true';
    case 'array':
      return [];
    default:
      return null;
  }
}

function findInPrompt(prompt: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`["']?\\b${escaped}\\b["']?\\s*[:=]\\s*(?:"([^"]*)"|'([^']*)'|([^,;\\n}]+))`, 'i').exec(prompt);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? match[3] ?? '').trim();
}
