import type { NodeJob, NodeOutcome } from '@weft/contracts';
import { isPlainObject } from '@weft/workflow';
import type { ChatProviderSource } from '../providers/chat-providers.service';
import { DEFAULT_PRICE_TABLE } from '../providers/default-prices.util';
import { ProviderCredentialsUnavailableError } from '../providers/provider-credentials.service';
import { observedChat } from '../providers/chat-telemetry.util';
import { ProviderNotInitializedError, ProviderRequestError } from '../providers/provider.exception';
import { resolveProviderName } from '../providers/provider-registry.util';
import type { ChatMessage, ChatResult, ResponseFormat, ToolDefinition } from '../providers/provider.types';
import { priceUsage, type DifyUsage, type PriceTable } from '../providers/usage.util';
import { failed, type FailureDetails } from './node-job-executor.types';

/** A node's `model` block: the provider as the DSL names it, the model, its mode and its parameters. */
export interface ModelConfig {
  provider: string;
  name: string;
  mode: 'chat' | 'completion';
  completionParams: Record<string, unknown>;
}

/** Reads `data.model`, or says what is wrong with it. */
export function readModelConfig(data: Record<string, unknown>): ModelConfig | { error: string } {
  const model = data['model'];
  if (!isPlainObject(model)) return { error: 'Model config is missing.' };
  const provider = typeof model['provider'] === 'string' ? model['provider'].trim() : '';
  const name = typeof model['name'] === 'string' ? model['name'].trim() : '';
  if (!provider) return { error: 'Model provider is not set.' };
  if (!name) return { error: 'Model name is not set.' };
  const params = isPlainObject(model['completion_params']) ? model['completion_params'] : {};
  return { provider, name, mode: model['mode'] === 'completion' ? 'completion' : 'chat', completionParams: { ...params } };
}

/** One finished model call with Dify's usage object. */
export interface ModelCall {
  result: ChatResult;
  usage: DifyUsage;
  /** The provider's short name (e.g. "openai"), as Dify's process data shows it. */
  provider: string;
}

/** What a node asks of the model besides the messages. */
export interface ModelCallRequest {
  messages: ChatMessage[];
  params?: Record<string, unknown>;
  responseFormat?: ResponseFormat;
  tools?: ToolDefinition[];
}

/** Calls the node's model with the workspace's credentials; throws provider and credential errors for `modelFailure`. */
export async function callModel(
  providers: ChatProviderSource,
  job: NodeJob,
  model: ModelConfig,
  request: ModelCallRequest,
  options: { signal: AbortSignal; onDelta?: (text: string) => void; prices?: PriceTable },
): Promise<ModelCall> {
  const client = await providers.forProvider(job.workspaceId, model.provider);
  const provider = resolveProviderName(model.provider);
  const { result, seconds: latency } = await observedChat({
    client,
    options: { signal: options.signal, ...(options.onDelta ? { onDelta: options.onDelta } : {}) },
    provider,
    request: {
      model: model.name,
      messages: request.messages,
      params: request.params ?? model.completionParams,
      ...(request.tools ? { tools: request.tools } : {}),
      ...(request.responseFormat ? { responseFormat: request.responseFormat } : {}),
    },
    secrets: environmentValues(job),
    ...(providers.telemetry ? { telemetry: providers.telemetry } : {}),
  });
  return {
    result,
    provider,
    usage: priceUsage(
      provider,
      model.name,
      result.usage,
      options.prices ?? providers.prices ?? DEFAULT_PRICE_TABLE,
      Math.round(latency * 1000) / 1000,
    ),
  };
}

/**
 * The job's environment values, masked in what a model call span shows. The node runner does not know which of
 * them the workflow declared secret, so it masks them all (only in telemetry, never in the node's results).
 */
export function environmentValues(job: Pick<NodeJob, 'variables'>): string[] {
  const env = job.variables['env'];
  if (!isPlainObject(env)) return [];
  return Object.values(env).filter((v): v is string => typeof v === 'string');
}

/** Dify's node-execution metadata for a model call. */
export function usageMetadata(usage: DifyUsage): Record<string, unknown> {
  return { currency: usage.currency, total_price: usage.total_price, total_tokens: usage.total_tokens };
}

/** Prompt messages as Dify saves them in `process_data.prompts`. */
/** The process data every model-calling node records: which model, in which mode, and the prompts sent. */
export function modelProcessData(model: ModelConfig, messages: ChatMessage[]): Record<string, unknown> {
  return { model_mode: model.mode, model_name: model.name, model_provider: model.provider, prompts: promptsForSaving(messages) };
}

export function promptsForSaving(messages: ChatMessage[]): Record<string, unknown>[] {
  return messages.map((m) => ({ files: [], role: m.role, text: m.content }));
}

/**
 * A model or credential failure as a failed node, with the class names Dify reports: provider setup
 * problems are ProviderNotInitializeError, call failures the Invoke*Error matching the provider's status.
 */
export function modelFailure(error: unknown, extra: FailureDetails = {}): NodeOutcome {
  if (error instanceof ProviderNotInitializedError || error instanceof ProviderCredentialsUnavailableError) {
    return failed('ProviderNotInitializeError', error.message, extra);
  }
  if (error instanceof ProviderRequestError) return failed(invokeErrorType(error), error.message, extra);
  return failed('InvokeError', error instanceof Error ? error.message : String(error), extra);
}

function invokeErrorType(error: ProviderRequestError): string {
  if (error.code === 'provider_quota_exceeded') return 'QuotaExceededError';
  if (error.status === 0) return 'InvokeConnectionError';
  if (error.status === 401 || error.status === 403) return 'InvokeAuthorizationError';
  if (error.status === 429) return 'InvokeRateLimitError';
  if (error.status >= 500) return 'InvokeServerUnavailableError';
  return 'InvokeBadRequestError';
}

/**
 * The JSON object in a model's answer: the whole text, a ```json fenced block, or the outermost `{...}`
 * span, in that order. Undefined when none parses to an object.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const candidates = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced) candidates.push(fenced[1].trim());
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start !== -1 && end > start) candidates.push(text.slice(start, end + 1));
  for (const candidate of candidates) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (isPlainObject(value)) return value;
    } catch {
      // Try the next candidate.
    }
  }
  return undefined;
}
