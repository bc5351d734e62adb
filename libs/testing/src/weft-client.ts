import { ResponseContract } from './response-contract';
import { mailedCode, mailedInvitationToken, TestMailServer } from './test-mail-server';
/** A parsed server-sent event stream: the raw lines, the JSON events in order, and whether it ended cleanly. */
export interface SseCapture {
  events: Record<string, unknown>[];
  raw: string;
}

/** The password test accounts are given unless a test chooses one: it meets the default password policy. */
export const TEST_PASSWORD = 'Correct-Horse-9!';

/** A fresh address for a test account: `<label>-<time>-<random>@example.com`. */
export function uniqueTestEmail(label: string): string {
  return `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 10)}@example.com`;
}

/** A signed-up account: its tokens, id, workspace and address. */
export interface SignedUp {
  access_token: string;
  account_id: string;
  email: string;
  expires_in: number;
  refresh_token: string;
  token_type: string;
  workspace_id: string;
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

  /** Registers a fresh account and returns its console token (see `signUp`). */
  async register(email = uniqueTestEmail('user')): Promise<string> {
    return (await this.signUp(email)).access_token;
  }

  /**
   * Signs up a fresh account as a person would and returns its tokens, id and workspace: a stack's first
   * account is created at once; any later one confirms the code mailed to the stack's test mail server
   * (`TestStack` starts one unless told not to).
   */
  async signUp(email = uniqueTestEmail('user'), opts: { name?: string; password?: string } = {}): Promise<SignedUp> {
    const mailbox = TestMailServer.forGateway(this.baseUrl);
    const seen = mailbox?.mailsTo(email).length ?? 0;
    const res = await this.call<SignedUp & { data: string }>('POST', '/console/api/register', {
      body: { email, name: opts.name ?? 'Test User', password: opts.password ?? TEST_PASSWORD },
    });
    if (res.status === 201) return { ...res.body, email };
    if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    if (!mailbox) throw new Error('register mailed a code, but this gateway has no test mail server to read it from');
    const code = mailedCode(await mailbox.nextMail(email, seen));
    const checked = await this.call<{ token: string }>('POST', '/console/api/email-register/validity', {
      body: { code, email, token: res.body.data },
    });
    if (checked.status !== 200) throw new Error(`the mailed code was refused: ${checked.status} ${JSON.stringify(checked.body)}`);
    const done = await this.call<{ data: SignedUp }>('POST', '/console/api/email-register', { body: { token: checked.body.token } });
    if (done.status !== 200) throw new Error(`sign-up failed: ${done.status} ${JSON.stringify(done.body)}`);
    return { ...done.body.data, email };
  }

  /**
   * Invites `email` into the current workspace of `adminToken` and answers the invitation token, read from the
   * invitation mail when the stack has mail, or from the answer's link when it has none.
   */
  async invite(adminToken: string, email: string, role: 'admin' | 'editor' | 'normal' = 'normal'): Promise<string> {
    const mailbox = TestMailServer.forGateway(this.baseUrl);
    const seen = mailbox?.mailsTo(email).length ?? 0;
    const res = await this.call<{ invitation_results: { status: string; url?: string; message?: string }[] }>(
      'POST',
      '/console/api/workspaces/current/members/invite-email',
      { body: { emails: [email], role }, token: adminToken },
    );
    const result = res.body.invitation_results?.[0];
    if (res.status !== 201 || result?.status !== 'success') throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
    if (result.url) return new URL(result.url, 'http://weft.invalid').searchParams.get('token')!;
    if (!mailbox) throw new Error('the invitation was mailed, but this gateway has no test mail server to read it from');
    return mailedInvitationToken(await mailbox.nextMail(email, seen));
  }

  /**
   * Invites the existing account `email` (signed in with `memberToken`) into the current workspace of
   * `adminToken`, and has it accept; answers the workspace it joined. Switch to it with `POST …/workspaces/switch`.
   */
  async inviteAndAccept(
    adminToken: string,
    email: string,
    memberToken: string,
    role: 'admin' | 'editor' | 'normal' = 'normal',
  ): Promise<{ id: string; name: string; role: string }> {
    const token = await this.invite(adminToken, email, role);
    const accepted = await this.call<{ workspace: { id: string; name: string; role: string } }>(
      'POST',
      '/console/api/workspaces/invitations/accept',
      { body: { token }, token: memberToken },
    );
    if (accepted.status !== 200) throw new Error(`accepting the invitation failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return accepted.body.workspace;
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
      problems: { code: string; message: string; node_id?: string; path?: string }[];
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
