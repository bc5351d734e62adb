import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { ModelCallObservation } from '@weft/metrics';
import { contextWithSpan } from '@weft/tracing';
import { createSecretMask, type SecretMask } from '@weft/workflow';
import { ProviderRequestError } from './provider.exception';
import type { ChatMessage, ChatOptions, ChatProvider, ChatRequest, ChatResult } from './provider.types';

/** How model calls are reported besides their result: metrics, and whether spans carry the messages. */
export interface ChatTelemetry {
  /** Prompts and completions on spans (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`), masked; off by default. */
  captureContent: boolean;
  metrics?: { observe(call: ModelCallObservation): void };
}

/** One model call to observe. */
export interface ObservedChatCall {
  client: ChatProvider;
  options: ChatOptions;
  /** The provider's short name (openai, anthropic, openai_api_compatible, weft-mock). */
  provider: string;
  request: ChatRequest;
  /** Values masked in captured content (the workflow's environment values). */
  secrets?: readonly string[];
  telemetry?: ChatTelemetry;
}

// Request parameters that have a GenAI semantic convention attribute, by the name Dify's model config uses.
const REQUEST_PARAMS: Record<string, string> = {
  frequency_penalty: 'gen_ai.request.frequency_penalty',
  max_tokens: 'gen_ai.request.max_tokens',
  presence_penalty: 'gen_ai.request.presence_penalty',
  temperature: 'gen_ai.request.temperature',
  top_k: 'gen_ai.request.top_k',
  top_p: 'gen_ai.request.top_p',
};

/**
 * Makes one model call inside a `chat {model}` span (kind CLIENT, OpenTelemetry GenAI conventions), so the
 * provider's HTTP span is its child, and counts its tokens and time (`dify_llm_tokens_total`,
 * `dify_llm_request_duration_seconds`). A streamed call's span lasts until its last token. The messages go on
 * the span only when the operator opted in, and then with the workflow's environment values masked.
 * Resolves with the result and the call's duration in seconds; rejects as the call does (span status ERROR).
 */
export async function observedChat(call: ObservedChatCall): Promise<{ result: ChatResult; seconds: number }> {
  const { client, provider, request, telemetry } = call;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': request.model,
    'gen_ai.system': provider,
  };
  for (const [param, attribute] of Object.entries(REQUEST_PARAMS)) {
    const value = request.params[param];
    if (typeof value === 'number' && Number.isFinite(value)) attributes[attribute] = value;
  }
  const span = trace.getTracer('weft').startSpan(`chat ${request.model}`, { attributes, kind: SpanKind.CLIENT });
  const capture = telemetry?.captureContent === true && span.isRecording();
  const mask = capture ? createSecretMask(call.secrets ?? []) : null;
  if (mask) span.setAttribute('gen_ai.input.messages', JSON.stringify(mask(request.messages.map(inputMessage))));
  const started = process.hrtime.bigint();
  try {
    const result = await context.with(contextWithSpan(context.active(), span), () => client.chat(request, call.options));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    span.setAttributes({
      'gen_ai.response.finish_reasons': [result.finishReason],
      'gen_ai.response.model': result.responseModel ?? request.model,
      'gen_ai.usage.input_tokens': result.usage.promptTokens,
      'gen_ai.usage.output_tokens': result.usage.completionTokens,
    });
    if (mask) span.setAttribute('gen_ai.output.messages', JSON.stringify(mask([outputMessage(result)])));
    telemetry?.metrics?.observe({
      completionTokens: result.usage.completionTokens,
      model: request.model,
      promptTokens: result.usage.promptTokens,
      provider,
      seconds,
    });
    return { result, seconds };
  } catch (error) {
    failSpan(span, error, mask ?? createSecretMask(call.secrets ?? []));
    throw error;
  } finally {
    span.end();
  }
}

function failSpan(span: Span, error: unknown, mask: SecretMask): void {
  const message = error instanceof Error ? error.message : String(error);
  // error.type stays low-cardinality: the provider's HTTP status, or what kind of failure it was.
  const type =
    error instanceof ProviderRequestError
      ? error.status > 0
        ? String(error.status)
        : error.code
      : error instanceof Error
        ? error.name
        : 'Error';
  span.setAttribute('error.type', type);
  // A provider's error message may quote the prompt: masked like the content.
  span.setStatus({ code: SpanStatusCode.ERROR, message: mask(message) });
}

/** A message in the GenAI conventions' input shape: role and text parts (tool calls as tool_call parts). */
function inputMessage(message: ChatMessage): Record<string, unknown> {
  const parts: Record<string, unknown>[] = [];
  if (message.content) {
    parts.push(
      message.role === 'tool'
        ? { id: message.toolCallId ?? '', response: message.content, type: 'tool_call_response' }
        : { content: message.content, type: 'text' },
    );
  }
  for (const c of message.toolCalls ?? []) parts.push({ arguments: c.arguments, id: c.id, name: c.name, type: 'tool_call' });
  return { parts, role: message.role };
}

function outputMessage(result: ChatResult): Record<string, unknown> {
  const parts: Record<string, unknown>[] = result.text ? [{ content: result.text, type: 'text' }] : [];
  for (const c of result.toolCalls) parts.push({ arguments: c.arguments, id: c.id, name: c.name, type: 'tool_call' });
  return { finish_reason: result.finishReason, parts, role: 'assistant' };
}
