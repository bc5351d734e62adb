import { ResponseContract } from './response-contract';
/** A parsed server-sent event stream: the raw lines, the JSON events in order, and whether it ended cleanly. */
export interface SseCapture {
  events: Record<string, unknown>[];
  raw: string;
}

/** A response with its status and JSON body. */
export interface JsonResponse<T = Record<string, unknown>> {
  body: T;
  headers: Headers;
  status: number;
}

async function json<T>(res: Response): Promise<JsonResponse<T>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { raw: text };
  }
  return { body: body as T, headers: res.headers, status: res.status };
}

/** Reads an SSE response to its end and parses every `data:` line. */
export async function readSse(res: Response): Promise<SseCapture> {
  const raw = await res.text();
  const events = raw
    .split('\n\n')
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data: '))
    .map((block) => JSON.parse(block.slice(6)) as Record<string, unknown>);
  return { events, raw };
}

/**
 * Talks to Weft's gateway as a client would: the console (JWT) and the Service API (app keys). Used by
 * end-to-end tests, the benchmark and the smoke test.
 */
export class WeftClient {
  /**
   * When set (the end-to-end tests set it), every JSON success answer is checked against the response
   * schema its route documents, and a mismatch fails the call.
   */
  static checkResponses = false;

  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      headers,
      method,
    });
    const answer = await json<T>(res);
    if (WeftClient.checkResponses) {
      const contract = await ResponseContract.for(this.baseUrl);
      const violation = contract?.violation(method, res.url, res.status, res.headers.get('content-type'), answer.body);
      if (violation) throw new Error(`Response contract: ${violation}`);
    }
    return answer;
  }

  /** Registers a fresh account and returns its console token. */
  async register(email = `user-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`): Promise<string> {
    const res = await this.call<{ access_token: string }>('POST', '/console/api/register', {
      body: { email, name: 'Test User', password: 'Correct-Horse-9!' },
    });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token;
  }

  /** Imports a DSL and returns the import answer. */
  importApp(
    token: string,
    yaml: string,
  ): Promise<
    JsonResponse<{
      app_id: string | null;
      app_mode: string | null;
      error: string;
      problems: { code: string; message: string }[];
      status: string;
    }>
  > {
    return this.call('POST', '/console/api/apps/imports', { body: { mode: 'yaml-content', yaml_content: yaml }, token });
  }

  /** Imports, publishes (workflow and chatflow apps) and creates an app key in one go; throws if any step fails. */
  async deploy(token: string, yaml: string): Promise<{ appId: string; key: string }> {
    const imported = await this.importApp(token, yaml);
    if (imported.status !== 200 || !imported.body.app_id) throw new Error(`import failed: ${JSON.stringify(imported.body)}`);
    const appId = imported.body.app_id;
    // Classic chat and completion apps are live once imported; they have no workflow to publish.
    if (!['chat', 'agent-chat', 'completion'].includes(imported.body.app_mode ?? '')) {
      const published = await this.call('POST', `/console/api/apps/${appId}/workflows/publish`, { token });
      if (published.status !== 200) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
    }
    const key = await this.call<{ token: string }>('POST', `/console/api/apps/${appId}/api-keys`, { token });
    if (key.status !== 201) throw new Error(`key failed: ${JSON.stringify(key.body)}`);
    return { appId, key: key.body.token };
  }

  /** `POST /v1/workflows/run` in blocking mode. */
  run(key: string, inputs: Record<string, unknown>, user = 'tester', extra: Record<string, unknown> = {}): Promise<JsonResponse> {
    return this.call('POST', '/v1/workflows/run', { body: { inputs, response_mode: 'blocking', user, ...extra }, token: key });
  }

  /** `POST /v1/workflows/run` in streaming mode, read to the end. */
  async stream(
    key: string,
    inputs: Record<string, unknown>,
    user = 'tester',
  ): Promise<SseCapture & { status: number; contentType: string | null }> {
    const res = await fetch(`${this.baseUrl}/v1/workflows/run`, {
      body: JSON.stringify({ inputs, response_mode: 'streaming', user }),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      method: 'POST',
    });
    return { ...(await readSse(res)), contentType: res.headers.get('content-type'), status: res.status };
  }
}
