import type { SsrfGuard } from '@weft/outbound-http';

/** One conversation turn in provider-neutral form. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** For role "tool": the id of the tool call this message answers. */
  toolCallId?: string;
  /** For role "assistant": the tool calls the model made in this turn. */
  toolCalls?: ToolCall[];
}

/** A function the model may call; `parameters` is a JSON schema. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A tool call as the model made it; `arguments` is the raw JSON text. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Asks for JSON output: any object, or one matching `schema`. */
export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; schema: Record<string, unknown>; name: string };

/** A chat completion request; `params` are passed through under the provider's own names. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  params: Record<string, unknown>;
  tools?: ToolDefinition[];
  responseFormat?: ResponseFormat;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** The assembled answer; `finishReason` uses OpenAI's words (stop, length, tool_calls, content_filter). */
export interface ChatResult {
  text: string;
  reasoning?: string;
  toolCalls: ToolCall[];
  usage: TokenUsage;
  finishReason: string;
  /** The model that answered, as the provider names it (may be more specific than the one asked for). */
  responseModel?: string;
}

export interface ChatOptions {
  signal?: AbortSignal;
  /** Called with each text delta as it streams; when absent the provider makes a non-streaming call. */
  onDelta?: (text: string) => void;
}

/** An LLM chat backend. */
export interface ChatProvider {
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResult>;
}

/** Retry policy for 429 and 5xx replies. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** First backoff delay; doubles per attempt. */
  baseDelayMs: number;
  /** Upper bound on any single wait, Retry-After included. */
  maxDelayMs: number;
}

/** What HTTP providers need from their surroundings. */
export interface ProviderDeps {
  guard: SsrfGuard;
  /** Until response headers arrive (per attempt). */
  timeoutMs?: number;
  /** Longest silence between streamed chunks, or the body read budget when not streaming. */
  idleTimeoutMs?: number;
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected so tests can observe waits; defaults to a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
