import { DEFAULT_MAX_RESPONSE_BYTES, guardedStream, GuardedStreamResponse, HttpRequestError } from '@weft/outbound-http';
import { ProviderErrorCode, ProviderRequestError } from './provider.exception';
import type { ProviderDeps, RetryPolicy } from './provider.types';

/** One server-sent event: the `event:` name (if any) and the joined `data:` lines. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 20_000 };
const DEFAULT_PROVIDER_TIMEOUT_MS = 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

export interface ProviderPost {
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Strings that must never appear in an error message (API keys). */
  secrets: string[];
  signal?: AbortSignal;
}

/**
 * POSTs JSON to a provider through the SSRF guard, retrying 429, 5xx and dropped connections with
 * exponential backoff (Retry-After / retry-after-ms win when present, within maxDelayMs). Returns the
 * 2xx response unread so the caller can stream it; every failure becomes a ProviderRequestError.
 */
export async function postToProvider(call: ProviderPost, deps: ProviderDeps): Promise<GuardedStreamResponse> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const sleep = deps.sleep ?? delay;
  const payload = JSON.stringify(call.body);
  for (let attempt = 1; ; attempt++) {
    let response: GuardedStreamResponse;
    try {
      response = await guardedStream(call.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...call.headers },
        body: payload,
        guard: deps.guard,
        timeoutMs: deps.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
        idleTimeoutMs: deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        maxResponseBytes: deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        // Provider APIs answer where they are asked; a redirect is more likely a misconfigured base URL.
        maxRedirects: 0,
        signal: call.signal,
      });
    } catch (error) {
      const transient = error instanceof HttpRequestError && error.code === 'connection_failed';
      if (transient && attempt < policy.maxAttempts) {
        await sleep(backoff(policy, attempt), call.signal);
        continue;
      }
      throw transportError(call, error);
    }
    if (response.status >= 200 && response.status < 300) return response;

    const raw = await response.readAll().catch(() => Buffer.alloc(0));
    const detail = parseErrorBody(raw.toString('utf8'));
    const quotaGone = response.status === 429 && /insufficient_quota/.test(`${detail.code} ${detail.type}`);
    const retryable = (response.status === 429 && !quotaGone) || response.status >= 500;
    if (retryable && attempt < policy.maxAttempts) {
      const wait = retryAfterMs(response.headers) ?? backoff(policy, attempt);
      await sleep(Math.min(wait, policy.maxDelayMs), call.signal);
      continue;
    }
    const code: ProviderErrorCode =
      response.status === 401 || response.status === 403
        ? 'provider_not_initialize'
        : response.status === 429
          ? 'provider_quota_exceeded'
          : 'completion_request_error';
    const message = redact(`[${call.provider}] Error code: ${response.status} - ${detail.message}`, call.secrets);
    throw new ProviderRequestError(call.provider, response.status, code, message);
  }
}

/** Reads a whole 2xx JSON reply, mapping unreadable bodies to a ProviderRequestError. */
export async function readJson(response: GuardedStreamResponse, call: Pick<ProviderPost, 'provider' | 'secrets'>): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await response.readAll();
  } catch (error) {
    throw transportError(call, error);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ProviderRequestError(
      call.provider,
      response.status,
      'completion_request_error',
      redact(`[${call.provider}] The provider returned a body that is not JSON: ${raw.toString('utf8').slice(0, 200)}`, call.secrets),
    );
  }
}

/** Wraps a transport failure (SSRF refusal, timeout, oversize, reset) with the provider's name; the cause is kept. */
export function transportError(call: Pick<ProviderPost, 'provider' | 'secrets'>, error: unknown): ProviderRequestError {
  if (error instanceof ProviderRequestError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const wrapped = new ProviderRequestError(
    call.provider,
    0,
    'completion_request_error',
    redact(`[${call.provider}] ${text}`, call.secrets),
  );
  (wrapped as { cause?: unknown }).cause = error;
  return wrapped;
}

/** Splits a byte stream into server-sent events (WHATWG framing: any line ending, blank line ends an event). */
export async function* parseSse(chunks: AsyncIterable<Buffer>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  const lineOut = function* (line: string): Generator<SseEvent> {
    if (line === '') {
      if (data.length > 0) yield { event, data: data.join('\n') };
      event = undefined;
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  };
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let match: RegExpExecArray | null;
    while ((match = /\r\n|\n|\r/.exec(buffer)) !== null) {
      // A lone "\r" at the end may be the first half of "\r\n" split across chunks.
      if (match[0] === '\r' && match.index === buffer.length - 1) break;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      yield* lineOut(line);
    }
  }
  buffer += decoder.decode();
  for (const line of buffer.split(/\r\n|\n|\r/)) yield* lineOut(line);
  yield* lineOut('');
}

/** Removes API keys from text: the exact secrets given, and anything shaped like an OpenAI/Anthropic key. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out.replace(/\bsk-[A-Za-z0-9_*-]{6,}/g, 'sk-***');
}

/** Rough token count (about four characters per token) for servers that report no usage. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

interface ErrorDetail {
  message: string;
  code: string;
  type: string;
}

function parseErrorBody(text: string): ErrorDetail {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { message: text.trim().slice(0, 500) || 'no error message', code: '', type: '' };
  }
  const record = (json ?? {}) as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string') return { message: error, code: '', type: '' };
  const inner = (error && typeof error === 'object' ? error : record) as Record<string, unknown>;
  const message =
    typeof inner.message === 'string' ? inner.message : typeof record.detail === 'string' ? record.detail : text.slice(0, 500);
  return { message, code: String(inner.code ?? ''), type: String(inner.type ?? '') };
}

function retryAfterMs(headers: Record<string, string>): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoff(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('The request was aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('The request was aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
