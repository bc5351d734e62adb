import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DslBuilder, endData, queryDatabase, templateData, textInput, TestStack, WeftClient } from '@weft/testing';
import { parseDsl } from '@weft/workflow';

const fixture = (name: string) => readFileSync(join(__dirname, '../../libs/workflow/src/dsl/fixtures', `${name}.yml`), 'utf8');

describe('workflow apps through the console and the Service API', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let greeting: { appId: string; key: string };

  beforeAll(async () => {
    stack = await TestStack.create();
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
    greeting = await client.deploy(token, fixture('simple-template'));
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  describe('import, export and publish', () => {
    it('lists every problem of an invalid DSL and stores nothing', async () => {
      const before = await client.call<{ total: number }>('GET', '/console/api/apps', { token });
      const res = await client.importApp(token, fixture('broken-everything'));
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('failed');
      const codes = new Set(res.body.problems.map((p) => p.code));
      for (const code of [
        'unknown_node_type',
        'unknown_edge_node',
        'cycle',
        'unknown_node_reference',
        'unknown_output',
        'unknown_operator',
      ])
        expect(codes).toContain(code);
      expect(res.body.error.split('\n').length).toBe(res.body.problems.length);
      const after = await client.call<{ total: number }>('GET', '/console/api/apps', { token });
      expect(after.body.total).toBe(before.body.total);
    });

    it('refuses YAML that is not a DSL, a missing start node, and a request without yaml_content', async () => {
      const notYaml = await client.importApp(token, 'app: [unclosed');
      expect(notYaml.status).toBe(400);
      expect(notYaml.body.problems[0]!.code).toBe('yaml_syntax');
      const noStart = new DslBuilder('no start').node('end', 'end', endData({})).toYaml();
      expect((await client.importApp(token, noStart)).body.problems.map((p) => p.code)).toContain('missing_start_node');
      const missing = await client.call('POST', '/console/api/apps/imports', { body: { mode: 'yaml-content' }, token });
      expect(missing.status).toBe(400);
      expect(missing.body['code']).toBe('invalid_param');
    });

    // Issue 17: Dify imports graphs whose references point at nodes that do not run before the reader or
    // are not there (real exports contain them) and reads them as empty values; so does Weft, with warnings.
    it('imports references to a node that is not upstream and to a missing node with warnings, publishes and runs them as empty', async () => {
      const yaml = new DslBuilder('lenient references')
        .node('s', 'start', { variables: [textInput('name')] })
        .node('t1', 'template-transform', templateData('Hello, {{ name }}!', { name: ['s', 'name'], later: ['t2', 'output'] }))
        .node('t2', 'template-transform', templateData('second', {}))
        .node('e', 'end', endData({ greeting: ['t1', 'output'], missing: ['gone', 'text'], second: ['t2', 'output'] }))
        .edge('s', 't1')
        .edge('t1', 't2')
        .edge('t2', 'e')
        .toYaml();
      const imported = await client.importApp(token, yaml);
      expect(imported.status).toBe(200);
      expect(imported.body.status).toBe('completed-with-warnings');
      expect(imported.body.app_id).toEqual(expect.any(String));
      expect(imported.body.problems.map((p) => [p.code, p.node_id])).toEqual(
        expect.arrayContaining([
          ['reference_not_upstream', 't1'],
          ['unknown_node_reference', 'e'],
        ]),
      );
      for (const p of imported.body.problems) expect(p.message).not.toBe('');

      const app = await client.deploy(token, yaml);
      const res = await client.run(app.key, { name: 'Ada' });
      expect(res.status).toBe(200);
      expect(res.body['data']).toMatchObject({
        outputs: { greeting: 'Hello, Ada!', missing: null, second: 'second' },
        status: 'succeeded',
      });
    });

    it('runs a chatflow whose answer reads a node that runs after it and a missing node, rendering both empty', async () => {
      const yaml = new DslBuilder('lenient answer', 'advanced-chat')
        .node('s', 'start', { variables: [] })
        .node('answer', 'answer', { answer: 'Q={{#sys.query#}} later=[{{#t2.output#}}] gone=[{{#gone.text#}}]' })
        .node('t2', 'template-transform', templateData('after', {}))
        .edge('s', 'answer')
        .edge('answer', 't2')
        .toYaml();
      const imported = await client.importApp(token, yaml);
      expect(imported.body.status).toBe('completed-with-warnings');
      expect(imported.body.problems.map((p) => p.code).sort()).toEqual(['reference_not_upstream', 'unknown_node_reference']);
      const app = await client.deploy(token, yaml);
      const res = await client.call('POST', '/v1/chat-messages', {
        body: { inputs: {}, query: 'hi', response_mode: 'blocking', user: 'ada' },
        token: app.key,
      });
      expect(res.status).toBe(200);
      expect(res.body['answer']).toBe('Q=hi later=[] gone=[]');
    });

    it('still fails an import with an unknown node type, or a trigger node, naming what to do', async () => {
      const unknown = new DslBuilder('unknown type')
        .node('s', 'start', { variables: [] })
        .node('x', 'mystery', {})
        .node('e', 'end', endData({}))
        .edge('s', 'x')
        .edge('x', 'e')
        .toYaml();
      const res = await client.importApp(token, unknown);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('failed');
      expect(res.body.problems.map((p) => p.code)).toEqual(['unknown_node_type']);
      const trigger = new DslBuilder('trigger').node('w', 'trigger-webhook', {}).node('e', 'end', endData({})).edge('w', 'e').toYaml();
      const refused = await client.importApp(token, trigger);
      expect(refused.body.status).toBe('failed');
      expect(refused.body.problems.map((p) => p.code).sort()).toEqual(['missing_start_node', 'unsupported_node_type']);
      expect(refused.body.error).toMatch(/Service API/);
    });

    it('answers 401 to console calls without a valid token', async () => {
      expect((await client.call('GET', '/console/api/apps')).status).toBe(401);
      const forged = `${token.split('.').slice(0, 2).join('.')}.${Buffer.from('forged').toString('base64url')}`;
      expect((await client.call('GET', '/console/api/apps', { token: forged })).status).toBe(401);
      expect((await client.importApp('not-a-token', fixture('simple-template'))).status).toBe(401);
    });

    it('exports DSL that imports back to an equal graph', async () => {
      const exported = await client.call<{ data: string }>('GET', `/console/api/apps/${greeting.appId}/export`, { token });
      expect(exported.status).toBe(200);
      const original = parseDsl(fixture('simple-template'));
      const again = parseDsl(exported.body.data);
      if (!original.ok || !again.ok) throw new Error('fixture or export did not parse');
      expect(again.app.graph).toEqual(original.app.graph);
      expect((await client.importApp(token, exported.body.data)).body.status).toBe('completed');
    });

    it("hides another workspace's apps", async () => {
      const other = await client.register();
      expect((await client.call('GET', `/console/api/apps/${greeting.appId}/export`, { token: other })).status).toBe(404);
      expect((await client.call('POST', `/console/api/apps/${greeting.appId}/workflows/publish`, { token: other })).status).toBe(404);
      expect((await client.call('POST', `/console/api/apps/${greeting.appId}/api-keys`, { token: other })).status).toBe(404);
    });

    it('runs only published workflows: an app imported but not published says so', async () => {
      const imported = await client.importApp(token, fixture('simple-template'));
      const appId = imported.body.app_id!;
      const key = await client.call<{ token: string }>('POST', `/console/api/apps/${appId}/api-keys`, { token });
      const res = await client.run(key.body.token, { name: 'x' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'bad_request', status: 400 });
      expect(String(res.body['message'])).toMatch(/publish/i);
    });
  });

  describe('running', () => {
    it('runs blocking by default and answers in Dify shape', async () => {
      const res = await client.call('POST', '/v1/workflows/run', {
        body: { inputs: { language: 'French', name: 'Ada' }, user: 'alice' },
        token: greeting.key,
      });
      expect(res.status).toBe(200);
      const data = res.body['data'] as Record<string, unknown>;
      expect(data).toMatchObject({ error: null, outputs: { greeting: 'Bonjour, Ada!' }, status: 'succeeded', total_steps: 3 });
      expect(data['id']).toBe(res.body['workflow_run_id']);
      expect(typeof res.body['task_id']).toBe('string');
      const detail = await client.call('GET', `/v1/workflows/run/${data['id']}`, { token: greeting.key });
      expect(detail.status).toBe(200);
      expect(detail.body['status']).toBe('succeeded');
      expect(JSON.parse(detail.body['inputs'] as string)).toEqual({ language: 'French', name: 'Ada' });
      expect(detail.body['outputs']).toEqual({ greeting: 'Bonjour, Ada!' });
      const nodes = await queryDatabase<{ node_type: string; index: number; status: string }>(
        stack.database.url,
        'SELECT node_type, index, status FROM orchestrator.workflow_node_executions WHERE workflow_run_id = $1 ORDER BY index',
        [data['id']],
      );
      expect(nodes).toEqual([
        { index: 1, node_type: 'start', status: 'succeeded' },
        { index: 2, node_type: 'template-transform', status: 'succeeded' },
        { index: 3, node_type: 'end', status: 'succeeded' },
      ]);
    });

    it("streams Dify's SSE: a ping first, data lines, no [DONE], closed after workflow_finished", async () => {
      const res = await client.stream(greeting.key, { name: 'Bob' });
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/event-stream/);
      expect(res.raw.startsWith('event: ping\n\n')).toBe(true);
      expect(res.raw).not.toContain('[DONE]');
      expect(res.events.map((e) => e['event'])).toEqual([
        'workflow_started',
        'node_started',
        'node_finished',
        'node_started',
        'node_finished',
        'node_started',
        'node_finished',
        'workflow_finished',
      ]);
      const runId = res.events[0]!['workflow_run_id'];
      for (const e of res.events) expect(e['workflow_run_id']).toBe(runId);
      expect((res.events[7]!['data'] as Record<string, unknown>)['outputs']).toEqual({ greeting: 'Hello, Bob!' });
      expect(res.events.filter((e) => e['event'] === 'node_started').map((e) => (e['data'] as { index: number }).index)).toEqual([1, 2, 3]);
    });

    it('validates inputs against the start node with invalid_param errors', async () => {
      const missing = await client.run(greeting.key, {});
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ code: 'invalid_param', status: 400 });
      expect(String(missing.body['message'])).toContain('name is required in input form');
      const tooLong = await client.run(greeting.key, { name: 'x'.repeat(49) });
      expect(tooLong.status).toBe(400);
      const badOption = await client.run(greeting.key, { language: 'Klingon', name: 'x' });
      expect(badOption.status).toBe(400);
      const wrongType = await client.run(greeting.key, { name: 42 });
      expect(wrongType.status).toBe(400);
      const notObject = await client.call('POST', '/v1/workflows/run', { body: { inputs: 'nope', user: 'u' }, token: greeting.key });
      expect(notObject.body['code']).toBe('invalid_param');
      const noUser = await client.call('POST', '/v1/workflows/run', { body: { inputs: { name: 'x' } }, token: greeting.key });
      expect(noUser.status).toBe(400);
      expect(String(noUser.body['message'])).toContain('Arg user must be provided.');
      const badMode = await client.run(greeting.key, { name: 'x' }, 'u', { response_mode: 'sometimes' });
      expect(badMode.status).toBe(400);
    });

    it('answers 401 for a missing or unknown app key, with WWW-Authenticate', async () => {
      const none = await client.call('POST', '/v1/workflows/run', { body: { inputs: {}, user: 'u' } });
      expect(none.status).toBe(401);
      expect(none.body).toEqual({
        code: 'unauthorized',
        message: "Authorization header must be provided and start with 'Bearer'",
        status: 401,
      });
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      const unknown = await client.run('app-unknownkey', { name: 'x' });
      expect(unknown.status).toBe(401);
      expect(unknown.body['message']).toBe('Access token is invalid');
      const datasetKey = await client.run('dataset-abc', { name: 'x' });
      expect(datasetKey.status).toBe(401);
    });

    it("never shows one app's runs through another app's key", async () => {
      const run = await client.run(greeting.key, { name: 'Private' });
      const runId = run.body['workflow_run_id'] as string;
      const other = await client.deploy(token, fixture('if-else-join'));
      expect((await client.call('GET', `/v1/workflows/run/${runId}`, { token: other.key })).status).toBe(404);
      expect((await client.call('GET', `/v1/workflow/${runId}/events?user=tester`, { token: other.key })).status).toBe(404);
      expect((await client.call('GET', '/v1/workflows/run/not-a-uuid', { token: other.key })).status).toBe(404);
    });

    it.each([
      [95, { distinction: 'Zoe passed with distinction.' }],
      [75, { pass: 'Zoe passed.' }],
      [20, { fail: 'Zoe did not pass (20).' }],
    ])('follows if-else branches to one join (score %d)', async (score, expected) => {
      const app = await client.deploy(token, fixture('if-else-join'));
      const res = await client.run(app.key, { score, student: 'Zoe' });
      expect(res.body['data']).toMatchObject({ outputs: expected, status: 'succeeded' });
    });

    it('runs a loop with loop variables and a break', async () => {
      const app = await client.deploy(token, fixture('loop'));
      const res = await client.run(app.key, { limit: 3 });
      expect(res.body['data']).toMatchObject({ outputs: { num: 3 }, status: 'succeeded' });
    });

    it('ends partial-succeeded with exceptions_count when a node fails under default-value', async () => {
      const yaml = new DslBuilder('defaults')
        .node('start', 'start', { variables: [textInput('name')] })
        .node('t', 'template-transform', {
          ...templateData('{{ name | no_such_filter }}', { name: ['start', 'name'] }),
          default_value: [{ key: 'output', type: 'string', value: 'fallback' }],
          error_strategy: 'default-value',
        })
        .node('end', 'end', endData({ out: ['t', 'output'] }))
        .chain('start', 't', 'end')
        .toYaml();
      const app = await client.deploy(token, yaml);
      const streamed = await client.stream(app.key, { name: 'x' });
      const finished = streamed.events.at(-1)!['data'] as Record<string, unknown>;
      expect(finished).toMatchObject({ exceptions_count: 1, outputs: { out: 'fallback' }, status: 'partial-succeeded' });
      const nodeFinished = streamed.events.find(
        (e) => e['event'] === 'node_finished' && (e['data'] as { node_id: string }).node_id === 't',
      )!;
      expect((nodeFinished['data'] as Record<string, unknown>)['status']).toBe('exception');
    });

    it('fails the run with the node error when a node fails without a strategy', async () => {
      const yaml = new DslBuilder('fails')
        .node('start', 'start', { variables: [textInput('name')] })
        .node('t', 'template-transform', templateData('{{ name | no_such_filter }}', { name: ['start', 'name'] }))
        .node('end', 'end', endData({ out: ['t', 'output'] }))
        .chain('start', 't', 'end')
        .toYaml();
      const app = await client.deploy(token, yaml);
      const res = await client.run(app.key, { name: 'x' });
      expect(res.status).toBe(200);
      expect(res.body['data']).toMatchObject({ status: 'failed' });
      expect(String((res.body['data'] as Record<string, unknown>)['error'])).toMatch(/no_such_filter/);
    });
  });

  describe('logs, resume, stop and app info', () => {
    it('pages and filters run logs', async () => {
      const app = await client.deploy(token, fixture('simple-template'));
      for (const name of ['one', 'two', 'three']) await client.run(app.key, { name }, 'logger');
      await client.run(app.key, { name: 'four' }, 'someone-else');
      const page = await client.call<{ data: Record<string, unknown>[]; has_more: boolean; total: number; page: number; limit: number }>(
        'GET',
        '/v1/workflows/logs?limit=2&page=1',
        { token: app.key },
      );
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ has_more: true, limit: 2, page: 1, total: 4 });
      expect(page.body.data[0]!['workflow_run']).toMatchObject({ status: 'succeeded', triggered_from: 'app-run' });
      expect(page.body.data[0]).toMatchObject({ created_by_role: 'end_user', created_from: 'service-api' });
      const byUser = await client.call<{ total: number }>('GET', '/v1/workflows/logs?created_by_end_user_session_id=logger', {
        token: app.key,
      });
      expect(byUser.body.total).toBe(3);
      const byKeyword = await client.call<{ total: number }>('GET', '/v1/workflows/logs?keyword=three', { token: app.key });
      expect(byKeyword.body.total).toBe(1);
      const byAccount = await client.call<{ total: number }>('GET', '/v1/workflows/logs?created_by_account=nobody@example.com', {
        token: app.key,
      });
      expect(byAccount.body.total).toBe(0);
      const failed = await client.call<{ total: number }>('GET', '/v1/workflows/logs?status=failed', { token: app.key });
      expect(failed.body.total).toBe(0);
      expect((await client.call('GET', '/v1/workflows/logs?limit=500', { token: app.key })).status).toBe(400);
    });

    it("answers a finished run's events endpoint with its one workflow_finished, as Dify does, for its own user only", async () => {
      const run = await client.run(greeting.key, { name: 'Replay' }, 'replayer');
      const runId = run.body['workflow_run_id'] as string;
      for (const query of ['', '&include_state_snapshot=true', '&continue_on_pause=TRUE']) {
        const res = await fetch(`${stack.gateway.baseUrl}/v1/workflow/${runId}/events?user=replayer${query}`, {
          headers: { authorization: `Bearer ${greeting.key}` },
        });
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const events = (await res.text())
          .split('\n\n')
          .filter((b) => b.startsWith('data: '))
          .map((b) => JSON.parse(b.slice(6)) as Record<string, unknown>);
        expect(events).toEqual([
          expect.objectContaining({
            data: expect.objectContaining({ id: runId, outputs: { greeting: 'Hello, Replay!' }, status: 'succeeded' }),
            event: 'workflow_finished',
            task_id: expect.any(String),
            workflow_run_id: runId,
          }),
        ]);
      }
      const wrongUser = await client.call('GET', `/v1/workflow/${runId}/events?user=intruder`, { token: greeting.key });
      expect(wrongUser.status).toBe(404);
    });

    it('answers a stop of an unknown task with success, as Dify does', async () => {
      const res = await client.call('POST', '/v1/workflows/tasks/5f0d7a53-0a43-4a9b-9d44-95f1c1f0e7c1/stop', {
        body: { user: 'u' },
        token: greeting.key,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: 'success' });
      expect((await client.call('POST', '/v1/workflows/tasks/x/stop', { body: {}, token: greeting.key })).status).toBe(400);
    });

    it('describes the app: parameters from the start node, info and meta', async () => {
      const params = await client.call<{ user_input_form: Record<string, { variable: string; required: boolean }>[] }>(
        'GET',
        '/v1/parameters',
        { token: greeting.key },
      );
      expect(params.status).toBe(200);
      expect(params.body.user_input_form).toEqual([
        { 'text-input': expect.objectContaining({ required: true, variable: 'name' }) },
        { select: expect.objectContaining({ options: ['English', 'French'], variable: 'language' }) },
      ]);
      expect(params.body).toHaveProperty('system_parameters.file_size_limit', 15);
      const info = await client.call('GET', '/v1/info', { token: greeting.key });
      expect(info.body).toMatchObject({ mode: 'workflow', name: 'Greeting' });
      expect((await client.call('GET', '/v1/meta', { token: greeting.key })).body).toEqual({ tool_icons: {} });
    });

    it('runs a named published version and refuses a malformed or unknown one', async () => {
      const published = await client.call<{ workflow_id: string }>('POST', `/console/api/apps/${greeting.appId}/workflows/publish`, {
        token,
      });
      const ok = await client.call('POST', `/v1/workflows/${published.body.workflow_id}/run`, {
        body: { inputs: { name: 'V' }, user: 'u' },
        token: greeting.key,
      });
      expect(ok.body['data']).toMatchObject({ status: 'succeeded', workflow_id: published.body.workflow_id });
      const malformed = await client.call('POST', '/v1/workflows/not-a-uuid/run', {
        body: { inputs: { name: 'V' }, user: 'u' },
        token: greeting.key,
      });
      expect(malformed.body).toMatchObject({ code: 'bad_request', status: 400 });
      const unknown = await client.call('POST', '/v1/workflows/5f0d7a53-0a43-4a9b-9d44-95f1c1f0e7c1/run', {
        body: { inputs: { name: 'V' }, user: 'u' },
        token: greeting.key,
      });
      expect(unknown.status).toBe(400);
    });

    it('exports run and node metrics from the orchestrator', async () => {
      const metrics = await (await fetch(`${stack.processes.orchestrator.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/dify_workflow_executions_total\{status="succeeded"\} [1-9]/);
      expect(metrics).toMatch(/dify_node_executions_total\{node_type="template-transform",status="succeeded"\} [1-9]/);
      expect(metrics).toContain('dify_workflow_execution_duration_seconds_bucket');
      expect(metrics).toContain('dify_node_execution_duration_seconds_bucket{le="0.001",node_type="start"}');
    });
  });

  describe('environment variables', () => {
    it('keeps secret values sealed at rest, blanks them on every export (include_secret too), and gives runs the real value', async () => {
      const yaml = new DslBuilder('secrets')
        .environment('API_TOKEN', 'tok-very-secret', 'secret')
        .environment('REGION', 'eu-west', 'string')
        .node('start', 'start', { variables: [] })
        // Upper-cased, the output proves the run had the real value; as it is, the value is masked in what the run shows.
        .node(
          't',
          'template-transform',
          templateData('{{ token | upper }}@{{ region }}', { region: ['env', 'REGION'], token: ['env', 'API_TOKEN'] }),
        )
        .node('raw', 'template-transform', templateData('{{ token }}', { token: ['env', 'API_TOKEN'] }))
        .node('end', 'end', endData({ out: ['t', 'output'], raw: ['raw', 'output'] }))
        .chain('start', 't', 'raw', 'end')
        .toYaml();
      const app = await client.deploy(token, yaml);
      const rows = await queryDatabase<{ document: unknown }>(
        stack.database.url,
        'SELECT document FROM orchestrator.workflows WHERE app_id = $1',
        [app.appId],
      );
      expect(rows.length).toBe(2);
      for (const r of rows) expect(JSON.stringify(r.document)).not.toContain('tok-very-secret');
      const run = await client.run(app.key, {});
      expect(run.body['data']).toMatchObject({ outputs: { out: 'TOK-VERY-SECRET@eu-west', raw: '******' } });
      const plain = await client.call<{ data: string }>('GET', `/console/api/apps/${app.appId}/export`, { token });
      expect(plain.body.data).not.toContain('tok-very-secret');
      expect(plain.body.data).toContain('eu-west');
      const withSecrets = await client.call<{ data: string }>('GET', `/console/api/apps/${app.appId}/export?include_secret=true`, {
        token,
      });
      expect(withSecrets.status).toBe(200);
      expect(withSecrets.body.data).not.toContain('tok-very-secret');
      expect(withSecrets.body.data).toContain('eu-west');
    });
  });

  describe('provider credentials', () => {
    it('stores credentials sealed, under the short provider name, and never answers them back', async () => {
      const res = await client.call('PUT', '/console/api/workspaces/current/model-providers/langgenius/openai/openai', {
        body: { credentials: { openai_api_key: 'sk-test-secret-value' } },
        token,
      });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain('sk-test');
      const rows = await queryDatabase<{ provider: string; sealed_credentials: string }>(
        stack.database.url,
        'SELECT provider, sealed_credentials FROM gateway.provider_credentials',
      );
      expect(rows.map((r) => r.provider)).toContain('openai');
      for (const r of rows) expect(r.sealed_credentials).not.toContain('sk-test');
      const missing = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
        body: { credentials: {} },
        token,
      });
      expect(missing.status).toBe(400);
      const unknown = await client.call('PUT', '/console/api/workspaces/current/model-providers/nobody', {
        body: { credentials: { k: 'v' } },
        token,
      });
      expect(unknown.status).toBe(400);
    });
  });
});
