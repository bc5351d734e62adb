import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DslBuilder,
  endData,
  expectEventually,
  queryDatabase,
  ServiceProcess,
  startTestHttpServer,
  templateData,
  TestStack,
  textInput,
  WeftClient,
  type TestHttpServer,
} from '@weft/testing';

const run = promisify(execFile);

const SECRET_KEY = 'e2e-secret-key-that-is-long-enough-0123456789';
const NEW_KEY = 'e2e-new-encryption-key-material-abcdefghijklmnop';
const PROVIDER_KEY = 'sk-e2e-PROVIDER-PLAINTEXT-1234';
const ENV_SECRET = 'env-e2e-SECRET-PLAINTEXT-5678';

/**
 * Every row of every table of the service schemas, as text, for "no plaintext anywhere" checks; `skip`
 * names tables left out (`schema.table`).
 */
async function databaseText(url: string, skip: string[] = []): Promise<string> {
  const tables = await queryDatabase<{ table_schema: string; table_name: string }>(
    url,
    `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('gateway', 'orchestrator', 'rag', 'compliance') AND table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const t of tables) {
    if (skip.includes(`${t.table_schema}.${t.table_name}`)) continue;
    const rows = await queryDatabase<{ row: string }>(
      url,
      `SELECT row_to_json(t)::text AS row FROM "${t.table_schema}"."${t.table_name}" t`,
    );
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

describe('secrets at rest: sealed, never logged, re-sealed by secrets:rotate', () => {
  let stack: TestStack;
  let client: WeftClient;
  let upstream: TestHttpServer;
  let key: string;
  let token: string;

  beforeAll(async () => {
    // A fake OpenAI chat endpoint answering "pong", streamed when asked to be.
    upstream = await startTestHttpServer((req, res) => {
      const usage = { completion_tokens: 1, prompt_tokens: 1, total_tokens: 2 };
      if ((JSON.parse(req.body.toString() || '{}') as { stream?: boolean }).stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(
          `data: ${JSON.stringify({ choices: [{ delta: { content: 'pong' }, finish_reason: null, index: 0 }], id: 'c1', object: 'chat.completion.chunk' })}\n\n`,
        );
        res.write(
          `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop', index: 0 }], id: 'c1', object: 'chat.completion.chunk', usage })}\n\n`,
        );
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          choices: [{ finish_reason: 'stop', index: 0, message: { content: 'pong', role: 'assistant' } }],
          id: 'c1',
          object: 'chat.completion',
          usage,
        }),
      );
    });
    stack = await TestStack.create({ env: { SECRET_KEY, PROVIDER_ALLOWED_HOSTS: '127.0.0.1', SSRF_ALLOWED_HOSTS: '127.0.0.1' } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: `${upstream.url}/v1`, openai_api_key: PROVIDER_KEY } },
      token,
    });
    expect(saved.status).toBe(200);
    const yaml = new DslBuilder('secret user')
      .environment('API_TOKEN', ENV_SECRET, 'secret')
      .node('start', 'start', { variables: [textInput('question')] })
      .node('llm', 'llm', {
        context: { enabled: false, variable_selector: [] },
        model: { completion_params: {}, mode: 'chat', name: 'gpt-4o-mini', provider: 'openai' },
        prompt_template: [{ role: 'user', text: '{{#start.question#}}' }],
        vision: { enabled: false },
      })
      // Upper-cased, the output proves the run had the real value without storing it as it is.
      .node('check', 'template-transform', templateData('{{ token | upper }}', { token: ['env', 'API_TOKEN'] }))
      .node('end', 'end', endData({ answer: ['llm', 'text'], env: ['check', 'output'] }))
      .chain('start', 'llm', 'check', 'end')
      .toYaml();
    key = (await client.deploy(token, yaml)).key;
  });

  afterAll(async () => {
    await stack?.destroy();
    await upstream?.close();
  });

  /** A run that needs both secrets opened: the provider key reaches the fake provider, the env value matches. */
  async function expectSecretsWork(): Promise<void> {
    const before = upstream.requests.length;
    const res = await client.run(key, { question: 'ping' });
    expect(res.status).toBe(200);
    expect(res.body['data']).toMatchObject({ outputs: { answer: 'pong', env: ENV_SECRET.toUpperCase() }, status: 'succeeded' });
    const sent = upstream.requests.slice(before).find((r) => r.url === '/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  }

  async function rotate(service: 'gateway' | 'orchestrator' | 'compliance', env: Record<string, string>): Promise<string> {
    const { stdout } = await run(process.execPath, [ServiceProcess.entryPoint(service), 'rotate-secrets'], {
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: stack.database.url, LOG_LEVEL: 'warn', SECRET_KEY, ...env },
    });
    return stdout;
  }

  async function restart(env: Record<string, string>): Promise<void> {
    for (const name of ['gateway', 'orchestrator', 'node-runner', 'compliance'] as const) {
      await stack.processes[name].stop();
      stack.processes[name].start(env);
    }
    await Promise.all((['gateway', 'orchestrator', 'node-runner', 'compliance'] as const).map((name) => stack.processes[name].waitReady()));
  }

  it('keeps only ciphertext in the database and never writes the secrets to any log', async () => {
    await expectSecretsWork();
    expect(await databaseText(stack.database.url)).not.toContain(PROVIDER_KEY);
    // Node runs record the values their nodes read (the template's `token` input), with secrets masked.
    expect(await databaseText(stack.database.url)).not.toContain(ENV_SECRET);
    const [check] = await queryDatabase<{ inputs: Record<string, unknown> }>(
      stack.database.url,
      `SELECT inputs FROM orchestrator.workflow_node_executions WHERE node_id = 'check' LIMIT 1`,
    );
    expect(check!.inputs).toEqual({ token: '******' });
    // Nor do the run's events show them: node_started/node_finished carry the masked inputs.
    const streamed = await client.stream(key, { question: 'ping' });
    expect(streamed.events.some((e) => e['event'] === 'node_finished')).toBe(true);
    expect(streamed.raw).not.toContain(ENV_SECRET);
    const [credentials] = await queryDatabase<{ sealed_credentials: string }>(
      stack.database.url,
      'SELECT sealed_credentials FROM gateway.provider_credentials',
    );
    expect(credentials!.sealed_credentials).toMatch(/^v2:k1:/);
    const workflows = await queryDatabase<{ document: unknown }>(stack.database.url, 'SELECT document FROM orchestrator.workflows');
    for (const w of workflows) expect(JSON.stringify(w.document)).toMatch(/"v2:k1:/);
    for (const process of Object.values(stack.processes)) {
      expect(process.logs().length).toBeGreaterThan(0);
      expect(process.logs()).not.toContain(PROVIDER_KEY);
      expect(process.logs()).not.toContain(ENV_SECRET);
    }
  });

  it('re-seals every value under the new key, idempotently, after which the old key can be removed', async () => {
    const both = { ENCRYPTION_CURRENT_KEY_ID: 'k2', ENCRYPTION_KEYS: `k1:${SECRET_KEY},k2:${NEW_KEY}` };
    await restart(both);
    expect(await rotate('gateway', both)).toMatch(/gateway\.provider_credentials: re-sealed 1 of 1 sealed value/);
    expect(await rotate('orchestrator', both)).toMatch(/orchestrator\.workflows .*: re-sealed 2 of 2 sealed value/);
    // The audit chain's seals: its head and the workspace's head (appends made since the restart may already have re-sealed them).
    expect(await rotate('compliance', both)).toMatch(/compliance: audit chain seals: re-sealed [0-2] of 2 sealed value/);
    expect(await rotate('compliance', both)).toMatch(/compliance: audit chain seals: re-sealed 0 of 2 sealed value/);
    expect(await rotate('gateway', both)).toMatch(/re-sealed 0 of 0/);
    expect(await rotate('orchestrator', both)).toMatch(/re-sealed 0 of 0/);

    const text = await databaseText(stack.database.url);
    expect(text).not.toMatch(/v[12]:k1:/);
    expect(text).toMatch(/v2:k2:/);
    expect(text).not.toContain(PROVIDER_KEY);

    await restart({ ENCRYPTION_KEYS: `k2:${NEW_KEY}` });
    await expectSecretsWork();
    const verified = await client.call('GET', '/console/api/audit/verify', { token });
    expect(verified.body).toMatchObject({ result: 'ok' });
  });

  it('refuses to run in production on the development default SECRET_KEY, which anyone can read in the source', async () => {
    for (const service of ['gateway', 'orchestrator', 'compliance'] as const) {
      const bad = await stack.replica(service, { NODE_ENV: 'production', SECRET_KEY: '' });
      bad.start();
      const status = await bad.exited();
      expect([service, status.code]).toEqual([service, 1]);
      expect(bad.logs()).toContain(
        `Refusing to start ${service} in production (NODE_ENV=production) with the development default of SECRET_KEY`,
      );
    }
  });

  it('refuses to run in production on a SECRET_KEY too short to be random', async () => {
    const bad = await stack.replica('gateway', { NODE_ENV: 'production', SECRET_KEY: 'password123' });
    bad.start();
    expect((await bad.exited()).code).toBe(1);
    expect(bad.logs()).toContain(
      'Refusing to start gateway in production (NODE_ENV=production): SECRET_KEY must be at least 32 random characters in production',
    );
    expect(bad.logs()).not.toContain('password123');
  });

  it("refuses a sealed value copied in Postgres into another workspace's row: credentials and workflow secrets are not opened there", async () => {
    const PROVIDER_KEY_B = 'sk-e2e-WORKSPACE-B-9012';
    const tokenB = await client.register();
    const workspaceOf = async (as: string) =>
      (await client.call<{ id: string }>('GET', '/console/api/workspaces/current', { token: as })).body.id;
    const [workspaceA, workspaceB] = [await workspaceOf(token), await workspaceOf(tokenB)];
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: `${upstream.url}/v1`, openai_api_key: PROVIDER_KEY_B } },
      token: tokenB,
    });
    expect(saved.status).toBe(200);
    const yaml = new DslBuilder('copied secrets')
      .environment('API_TOKEN', 'env-of-workspace-b', 'secret')
      .node('start', 'start', { variables: [textInput('question')] })
      .node('llm', 'llm', {
        context: { enabled: false, variable_selector: [] },
        model: { completion_params: {}, mode: 'chat', name: 'gpt-4o-mini', provider: 'openai' },
        prompt_template: [{ role: 'user', text: '{{#start.question#}}' }],
        vision: { enabled: false },
      })
      .node('check', 'template-transform', templateData('{{ token | upper }}', { token: ['env', 'API_TOKEN'] }))
      .node('end', 'end', endData({ answer: ['llm', 'text'], env: ['check', 'output'] }))
      .chain('start', 'llm', 'check', 'end')
      .toYaml();
    const b = await client.deploy(tokenB, yaml);
    const authorizations = () => upstream.requests.map((r) => r.headers.authorization);
    const ok = await client.run(b.key, { question: 'ping' });
    expect(ok.body['data']).toMatchObject({ outputs: { answer: 'pong', env: 'ENV-OF-WORKSPACE-B' }, status: 'succeeded' });
    expect(authorizations()).toContain(`Bearer ${PROVIDER_KEY_B}`);

    // An intruder with database access copies A's sealed credentials over B's.
    const credentialsOf = async (workspaceId: string) =>
      (
        await queryDatabase<{ sealed_credentials: string }>(
          stack.database.url,
          `SELECT sealed_credentials FROM gateway.provider_credentials WHERE workspace_id = $1 AND provider = 'openai'`,
          [workspaceId],
        )
      )[0]!.sealed_credentials;
    const ownB = await credentialsOf(workspaceB);
    const setCredentials = (workspaceId: string, sealed: string) =>
      queryDatabase(
        stack.database.url,
        `UPDATE gateway.provider_credentials SET sealed_credentials = $1 WHERE workspace_id = $2 AND provider = 'openai'`,
        [sealed, workspaceId],
      );
    await setCredentials(workspaceB, await credentialsOf(workspaceA));
    const sentWithA = authorizations().filter((a) => a === `Bearer ${PROVIDER_KEY}`).length;
    // Node runners keep credentials for a few seconds: wait until B's runs ask the gateway again.
    let refused: Record<string, unknown> = {};
    await expectEventually(
      async () => {
        const res = await client.run(b.key, { question: 'ping' });
        refused = res.body['data'] as Record<string, unknown>;
        expect(refused['status']).toBe('failed');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(String(refused['error'])).toContain('The stored credentials of provider openai cannot be opened for this workspace');
    // A's key never left for B's run, and B's answer shows nothing of A's credentials.
    expect(authorizations().filter((a) => a === `Bearer ${PROVIDER_KEY}`).length).toBe(sentWithA);
    expect(JSON.stringify(refused)).not.toContain(PROVIDER_KEY);
    // Pino writes JSON, so the quotes in the line may come escaped.
    expect(stack.processes.gateway.logs()).toMatch(
      new RegExp(`Credentials of provider \\\\?"openai\\\\?" of workspace \\\\?"${workspaceB}\\\\?" refused \\(mismatch\\)`),
    );
    await setCredentials(workspaceB, ownB);

    // The same for a workflow secret: A's sealed environment value copied into B's draft, which is then published.
    const [appA] = await queryDatabase<{ app_id: string }>(
      stack.database.url,
      `SELECT app_id FROM orchestrator.workflows WHERE workspace_id = $1 AND version = 'draft' LIMIT 1`,
      [workspaceA],
    );
    await queryDatabase(
      stack.database.url,
      `UPDATE orchestrator.workflows b SET document = jsonb_set(b.document, '{workflow,environment_variables,0,value}', a.document #> '{workflow,environment_variables,0,value}')
         FROM orchestrator.workflows a
        WHERE a.app_id = $1 AND a.version = 'draft' AND b.app_id = $2 AND b.version = 'draft'`,
      [appA!.app_id, b.appId],
    );
    expect((await client.call('POST', `/console/api/apps/${b.appId}/workflows/publish`, { token: tokenB })).status).toBe(200);
    const copiedEnv = await client.run(b.key, { question: 'ping' });
    expect(copiedEnv.status).toBe(400);
    expect(copiedEnv.body).toMatchObject({ code: 'app_unavailable', message: expect.stringMatching(/cannot be opened \(mismatch\)/) });
    expect(JSON.stringify(copiedEnv.body)).not.toContain(ENV_SECRET);
    expect(JSON.stringify(copiedEnv.body)).not.toContain(ENV_SECRET.toUpperCase());

    // A's own app still runs with its own secrets, which the copy did not move.
    await expectSecretsWork();
  });

  it('refuses to start with a current key id that names no key, saying which variable is wrong', async () => {
    const bad = await stack.replica('gateway', { ENCRYPTION_CURRENT_KEY_ID: 'k9', ENCRYPTION_KEYS: `k2:${NEW_KEY}` });
    bad.start();
    const status = await bad.exited();
    expect(status.code).toBe(1);
    expect(bad.logs()).toMatch(/ENCRYPTION_CURRENT_KEY_ID is invalid: no key with id "k9"; the known ids are k2/);
  });
});
