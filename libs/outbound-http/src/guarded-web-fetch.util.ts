import { guardedStream, type GuardedStreamResponse } from './guarded-fetch.util';
import type { SsrfGuard } from './ssrf-guard.util';

/** A WHATWG `fetch`, as libraries that take a custom fetch (the MCP SDK's transports) expect it. */
export type WebFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Limits of a guarded `fetch`; every request made through it gets them. */
export interface GuardedWebFetchOptions {
  guard: SsrfGuard;
  /** Per request: connecting and waiting for the response headers. */
  timeoutMs: number;
  /** Per request: connecting alone (a shorter budget than timeoutMs); defaults to timeoutMs. */
  connectTimeoutMs?: number;
  /** The longest silence allowed between two body chunks (an event stream's read timeout); defaults to timeoutMs. */
  idleTimeoutMs?: number;
  /** The most one response body may hold (a long-lived event stream counts as one body). */
  maxResponseBytes?: number;
  /** Aborts every request made through this fetch, on top of each request's own signal. */
  signal?: AbortSignal;
  /** Headers besides the standard ones that carry credentials, dropped when a redirect leaves the origin. */
  credentialHeaders?: string[];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Statuses whose response has no body: the Response constructor refuses one for them.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers.map(([name, value]) => [name, value]));
  return { ...(headers as Record<string, string>) };
}

function bodyOf(body: RequestInit['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('guardedWebFetch sends string and byte bodies only');
}

function webBody(response: GuardedStreamResponse): ReadableStream<Uint8Array> {
  const chunks = response.body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return?.();
        response.cancel();
      },
      // Read only when asked: a body nobody reads does not start the idle timer.
    },
    { highWaterMark: 0 },
  );
}

/**
 * A `fetch` whose every request (and every redirect hop it follows) goes through the SSRF guard and the
 * guarded transport's limits: an internal address is refused before any byte is sent. The body streams,
 * so event streams work; `redirect: 'manual'` answers the 3xx itself, as libraries that follow redirects
 * on their own ask for. Refusals and timeouts reject with the guard's errors (SsrfBlockedError, ...).
 */
export function guardedWebFetch(options: GuardedWebFetchOptions): WebFetch {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input.href;
    const method = (init.method ?? 'GET').toUpperCase();
    const signals = [options.signal, init.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
    const redirect = init.redirect ?? 'follow';
    const response = await guardedStream(url, {
      body: bodyOf(init.body),
      connectTimeoutMs: options.connectTimeoutMs,
      credentialHeaders: options.credentialHeaders,
      guard: options.guard,
      headers: headerRecord(init.headers),
      idleTimeoutMs: options.idleTimeoutMs,
      maxRedirects: redirect === 'follow' ? undefined : 0,
      maxResponseBytes: options.maxResponseBytes,
      method,
      signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
      timeoutMs: options.timeoutMs,
    });
    if (redirect === 'error' && REDIRECT_STATUSES.has(response.status)) {
      response.cancel();
      throw new TypeError(`Request to ${url} was redirected, and redirects are refused for it`);
    }
    const empty = NULL_BODY_STATUSES.has(response.status) || method === 'HEAD';
    if (empty) response.cancel();
    const answer = new Response(empty ? null : webBody(response), { headers: response.headers, status: response.status });
    // A constructed Response has no URL; libraries read it to name where a redirect came from.
    Object.defineProperty(answer, 'url', { value: response.url });
    return answer;
  };
}
