// The console's one way to the gateway: `/console/api` with the console JWT. An answer of 401 is retried once
// after the refresh token is rotated (POST /console/api/refresh-token); when that fails too the session ends.

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

/** An error answer in Dify's shape, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

const STORAGE_KEY = 'weft.console.tokens';
const BASE = '/console/api';

type Listener = (signedIn: boolean) => void;

function readStored(): Tokens | null {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Tokens>;
    return typeof parsed.access_token === 'string' && typeof parsed.refresh_token === 'string'
      ? { access_token: parsed.access_token, refresh_token: parsed.refresh_token }
      : null;
  } catch {
    return null;
  }
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Expected answer other than JSON (the events stream): the raw response is returned. */
  raw?: boolean;
}

export class ApiClient {
  private tokens: Tokens | null = readStored();
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<Listener>();

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setTokens(tokens: Tokens | null): void {
    this.tokens = tokens;
    if (tokens) window.localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    else window.localStorage.removeItem(STORAGE_KEY);
    for (const l of this.listeners) l(tokens !== null);
  }

  /** Replaces only the access token (a workspace switch keeps the session's refresh token). */
  setAccessToken(accessToken: string): void {
    if (this.tokens) this.setTokens({ ...this.tokens, access_token: accessToken });
  }

  async login(email: string, password: string): Promise<void> {
    const tokens = await this.send<Tokens>('POST', '/login', { body: { email, password } }, false);
    this.setTokens({ access_token: tokens.access_token, refresh_token: tokens.refresh_token });
  }

  async logout(): Promise<void> {
    try {
      if (this.tokens) await this.send('POST', '/logout', {}, true);
    } catch {
      // Signing out locally matters more than the server's answer.
    } finally {
      this.setTokens(null);
    }
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', path, { signal }, true);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('POST', path, { body }, true);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('PUT', path, { body }, true);
  }

  delete<T>(path: string): Promise<T> {
    return this.send<T>('DELETE', path, {}, true);
  }

  /** A streaming answer (server-sent events), read by the caller with `response.body.getReader()`. */
  stream(path: string, signal: AbortSignal): Promise<Response> {
    return this.send<Response>('GET', path, { signal, raw: true }, true);
  }

  private async send<T>(method: string, path: string, opts: RequestOptions, authed: boolean, retried = false): Promise<T> {
    const headers: Record<string, string> = { Accept: opts.raw ? 'text/event-stream' : 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (authed && this.tokens) headers['Authorization'] = `Bearer ${this.tokens.access_token}`;
    let response: Response;
    try {
      response = await fetch(BASE + path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        cache: 'no-store',
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'network_error', 'The gateway could not be reached.');
    }
    if (response.status === 401 && authed && !retried && this.tokens) {
      if (await this.refresh()) return this.send<T>(method, path, opts, authed, true);
      this.setTokens(null);
    }
    if (!response.ok) {
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const shaped = body as { code?: unknown; message?: unknown } | null;
      throw new ApiError(
        response.status,
        typeof shaped?.code === 'string' ? shaped.code : 'error',
        typeof shaped?.message === 'string' ? shaped.message : `The gateway answered ${response.status}.`,
        body,
      );
    }
    if (opts.raw) return response as T;
    if (response.status === 204) return null as T;
    return (await response.json()) as T;
  }

  /** Rotates the refresh token; concurrent 401s share one rotation. */
  private refresh(): Promise<boolean> {
    if (!this.refreshing) {
      const current = this.tokens;
      this.refreshing = (async () => {
        if (!current) return false;
        try {
          const fresh = await this.send<Tokens>('POST', '/refresh-token', { body: { refresh_token: current.refresh_token } }, false);
          this.setTokens({ access_token: fresh.access_token, refresh_token: fresh.refresh_token });
          return true;
        } catch {
          return false;
        }
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }
}

export const api = new ApiClient();

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
