import * as http from 'node:http';
import * as https from 'node:https';
import type { SsrfGuard } from './ssrf-guard.util';

/** Thrown when connecting, waiting for a response or reading it takes longer than allowed. */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  readonly code = 'http_timeout';

  constructor(
    readonly url: string,
    readonly phase: 'connect' | 'response' | 'read',
    readonly timeoutMs: number,
  ) {
    super(`Request to ${url} timed out after ${timeoutMs} ms (${phase})`);
  }
}

/** Thrown when a response body grows beyond the configured limit; the transfer is aborted. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'response_too_large';

  constructor(
    readonly url: string,
    readonly maxBytes: number,
  ) {
    super(`Response from ${url} is larger than the limit of ${formatBytes(maxBytes)}`);
  }
}

/** Thrown for transport failures other than timeouts and SSRF refusals (bad redirects, resets, aborts). */
export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';

  constructor(
    message: string,
    readonly code: 'too_many_redirects' | 'invalid_redirect' | 'aborted' | 'connection_failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface GuardedRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  guard: SsrfGuard;
  /** Budget for connecting; defaults to timeoutMs. */
  connectTimeoutMs?: number;
  /** For guardedFetch the deadline for the whole exchange (connect, redirects, body); for guardedStream until headers arrive. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Redirect hops followed (each one re-checked by the guard); 0 returns the 3xx response itself. */
  maxRedirects?: number;
  signal?: AbortSignal;
  rejectUnauthorized?: boolean;
  /**
   * Headers that carry credentials besides the usual ones (a configured API-key header such as
   * `X-Secret-Token`): dropped, with those, when a redirect leaves the origin.
   */
  credentialHeaders?: string[];
}

/** Headers dropped whenever a redirect leaves the origin: the standard credentials and the common API-key headers. */
const CREDENTIAL_HEADERS = ['api-key', 'authorization', 'cookie', 'proxy-authorization', 'x-api-key'];

export interface GuardedStreamOptions extends GuardedRequestOptions {
  /** The longest silence allowed between two body chunks; defaults to timeoutMs. */
  idleTimeoutMs?: number;
}

export interface GuardedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that produced this response, after redirects. */
  url: string;
}

export interface GuardedStreamResponse {
  status: number;
  headers: Record<string, string>;
  url: string;
  /** The body as it arrives; iterate once. Size and idle limits apply while iterating. */
  body: AsyncIterable<Buffer>;
  /** Reads the whole remaining body (size-limited), e.g. to get an error message from a non-2xx reply. */
  readAll(): Promise<Buffer>;
  /** Stops the transfer and frees the connection. */
  cancel(): void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// One pair of agents per guard: pooled sockets were all opened through that guard's lookup, so a
// keep-alive socket can never bypass the check (Node's global agent would share sockets across callers).
const agents = new WeakMap<SsrfGuard, { http: http.Agent; https: https.Agent }>();

function agentsFor(guard: SsrfGuard): { http: http.Agent; https: https.Agent } {
  let pair = agents.get(guard);
  if (!pair) {
    pair = {
      http: new http.Agent({ keepAlive: true, lookup: guard.lookup } as http.AgentOptions),
      https: new https.Agent({ keepAlive: true, lookup: guard.lookup } as https.AgentOptions),
    };
    agents.set(guard, pair);
  }
  return pair;
}

/** Buffers a whole response over node:http(s), checking every connection and redirect hop with the guard. */
export async function guardedFetch(url: string, options: GuardedRequestOptions): Promise<GuardedResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const response = await sendFollowingRedirects(url, options, { deadline, timeoutMs });
  const body = await readLimited(response, options, { deadline, timeoutMs });
  return { status: response.status, headers: response.headers, body, url: response.url };
}

/** Like guardedFetch but hands the body over chunk by chunk, for SSE and other streamed replies. */
export async function guardedStream(url: string, options: GuardedStreamOptions): Promise<GuardedStreamResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const response = await sendFollowingRedirects(url, options, { deadline: Date.now() + timeoutMs, timeoutMs });
  const idleTimeoutMs = options.idleTimeoutMs ?? timeoutMs;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const { message } = response;
  const onAbort = (): void => {
    message.destroy(abortError(options.signal));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  async function* chunks(): AsyncGenerator<Buffer> {
    let received = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => message.destroy(new HttpTimeoutError(response.url, 'read', idleTimeoutMs)), idleTimeoutMs);
    };
    try {
      arm();
      for await (const chunk of message as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > maxBytes) {
          const error = new ResponseTooLargeError(response.url, maxBytes);
          message.destroy(error);
          throw error;
        }
        arm();
        yield chunk;
      }
    } catch (error) {
      throw translateError(error, new URL(response.url));
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (!message.complete) message.destroy();
    }
  }

  const body = chunks();
  return {
    status: response.status,
    headers: response.headers,
    url: response.url,
    body,
    readAll: async () => {
      const parts: Buffer[] = [];
      for await (const chunk of body) parts.push(chunk);
      return Buffer.concat(parts);
    },
    cancel: () => {
      options.signal?.removeEventListener('abort', onAbort);
      message.destroy();
    },
  };
}

interface HopResponse {
  status: number;
  headers: Record<string, string>;
  url: string;
  message: http.IncomingMessage;
}

interface Budget {
  deadline: number;
  timeoutMs: number;
}

async function sendFollowingRedirects(url: string, options: GuardedRequestOptions, budget: Budget): Promise<HopResponse> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let current = parseUrl(url);
  let method = (options.method ?? 'GET').toUpperCase();
  let headers = { ...(options.headers ?? {}) };
  let body = options.body;
  for (let hop = 0; ; hop++) {
    const response = await sendOnce(current, method, headers, body, options, budget);
    const location = response.headers['location'];
    if (!REDIRECT_STATUSES.has(response.status) || location === undefined || maxRedirects === 0) return response;
    response.message.resume();
    if (hop >= maxRedirects) {
      throw new HttpRequestError(`Too many redirects (more than ${maxRedirects}) starting from ${url}`, 'too_many_redirects');
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new HttpRequestError(`Invalid redirect location "${location}" from ${current.href}`, 'invalid_redirect');
    }
    // Same method rewriting as browsers and httpx: 303 always, 301/302 for POST become a body-less GET.
    if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = withoutHeaders(headers, ['content-type', 'content-length', 'transfer-encoding']);
    }
    // Credentials are meant for the origin they were given to, not wherever it redirects.
    if (next.origin !== current.origin) {
      headers = withoutHeaders(headers, [...CREDENTIAL_HEADERS, ...(options.credentialHeaders ?? []).map((name) => name.toLowerCase())]);
    }
    current = next;
  }
}

function sendOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  options: GuardedRequestOptions,
  budget: Budget,
): Promise<HopResponse> {
  options.guard.checkUrl(url);
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const remaining = budget.deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new HttpTimeoutError(url.href, 'response', budget.timeoutMs));

  const isHttps = url.protocol === 'https:';
  const pair = agentsFor(options.guard);
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const outgoing: Record<string, string> = { ...headers };
  if (payload !== undefined && !hasHeader(outgoing, 'content-length')) outgoing['Content-Length'] = String(payload.length);

  return new Promise<HopResponse>((resolve, reject) => {
    const requestOptions: https.RequestOptions = {
      method,
      headers: outgoing,
      agent: isHttps ? pair.https : pair.http,
      lookup: options.guard.lookup as never,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    };
    const req = (isHttps ? https : http).request(url, requestOptions);
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(responseTimer);
      clearTimeout(connectTimer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      req.destroy(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const responseTimer = setTimeout(() => req.destroy(new HttpTimeoutError(url.href, 'response', budget.timeoutMs)), remaining);
    let connectTimer: NodeJS.Timeout | undefined;
    const connectTimeoutMs = options.connectTimeoutMs;
    if (connectTimeoutMs !== undefined && connectTimeoutMs < remaining) {
      req.once('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => req.destroy(new HttpTimeoutError(url.href, 'connect', connectTimeoutMs)), connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
    }

    req.on('error', (error) => finish(() => reject(translateError(error, url))));
    req.on('response', (message) => {
      finish(() => resolve({ status: message.statusCode ?? 0, headers: flattenHeaders(message.headers), url: url.href, message }));
    });
    req.end(payload);
  });
}

async function readLimited(response: HopResponse, options: GuardedRequestOptions, budget: Budget): Promise<Buffer> {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const { message, url } = response;
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    message.destroy();
    throw new ResponseTooLargeError(url, maxBytes);
  }
  const timer = setTimeout(
    () => message.destroy(new HttpTimeoutError(url, 'read', budget.timeoutMs)),
    Math.max(0, budget.deadline - Date.now()),
  );
  const onAbort = (): void => {
    message.destroy(abortError(options.signal));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const parts: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of message as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) {
        const error = new ResponseTooLargeError(url, maxBytes);
        message.destroy(error);
        throw error;
      }
      parts.push(chunk);
    }
  } catch (error) {
    throw translateError(error, new URL(url));
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(parts);
}

function translateError(error: unknown, url: URL): Error {
  if (error instanceof HttpTimeoutError || error instanceof ResponseTooLargeError || error instanceof HttpRequestError) {
    return error;
  }
  if (error instanceof Error && error.name === 'SsrfBlockedError') return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new HttpRequestError(`Request to ${url.href} was aborted`, 'aborted', { cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new HttpRequestError(`Request to ${url.href} failed: ${detail}`, 'connection_failed', { cause: error });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error('The request was aborted'), { name: 'AbortError' });
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new HttpRequestError(`Invalid URL "${url}"`, 'invalid_redirect');
  }
}

/** Lower-cased header names; repeated headers joined with ", " as httpx (and so Dify) presents them. */
export function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => !names.includes(key.toLowerCase())));
}

/** "1.00 MB"-style sizes, as Dify words its size errors. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(2)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
