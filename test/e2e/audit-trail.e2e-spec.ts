import { DslBuilder, endData, expectEventually, queryDatabase, templateData, textInput, TestStack, WeftClient } from '@weft/testing';

interface AuditRecord {
  action: string;
  actor: { id: string | null; type: string };
  correlation_id: string | null;
  details: Record<string, unknown>;
  id: string;
  ip: string | null;
  occurred_at: string;
  outcome: string;
  resource: { id: string | null; type: string };
  seq: number;
  service: string;
  user_agent: string | null;
  workspace_id: string | null;
}
interface LogsPage {
  data: AuditRecord[];
  has_more: boolean;
  limit: number;
  next_cursor: string | null;
}

const yaml = new DslBuilder('audited')
  .node('start', 'start', { variables: [textInput('name')] })
  .node('t', 'template-transform', templateData('Hello {{ name }}', { name: ['start', 'name'] }))
  .node('end', 'end', endData({ out: ['t', 'output'] }))
  .chain('start', 't', 'end')
  .toYaml();

/** The operators' token: platform-wide verification (GET /v1/system/audit/verify) answers only to it. */
const OPERATOR_TOKEN = 'audit-e2e-operator-token-0123456789';

// Rows changed the way an intruder with database access would: the append-only trigger switched off.
async function tamper(url: string, statement: string): Promise<void> {
  await queryDatabase(
    url,
    `ALTER TABLE compliance.audit_events DISABLE TRIGGER audit_events_append_only; ${statement}; ALTER TABLE compliance.audit_events ENABLE TRIGGER audit_events_append_only`,
  );
}

describe('the audit trail', () => {
  let stack: TestStack;
  let client: WeftClient;
  let token: string;
  let workspaceId: string;

  const logs = async (query: Record<string, string> = {}, as = token) => {
    const res = await client.call<LogsPage>('GET', `/console/api/audit/logs?${new URLSearchParams({ limit: '100', ...query })}`, {
      token: as,
    });
    expect(res.status).toBe(200);
    return res.body;
  };
  /** A workspace admin's check: their own workspace's chain. */
  const verify = async (as = token) => {
    const res = await client.call<Record<string, unknown>>('GET', '/console/api/audit/verify', { token: as });
    expect(res.status).toBe(200);
    return res.body;
  };
  /** The operators' check: the whole platform's chain. */
  const operatorVerify = async () => {
    const res = await client.call<Record<string, unknown>>('GET', '/v1/system/audit/verify', { token: OPERATOR_TOKEN });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    stack = await TestStack.create({ env: { SYSTEM_STATUS_TOKEN: OPERATOR_TOKEN } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    token = await client.register();
    const me = await client.call<{ id: string }>('GET', '/console/api/workspaces/current', { token });
    workspaceId = me.body.id;
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('records app, provider, knowledge and Service API run events with actor, address, agent and correlation id', async () => {
    const ua = { 'user-agent': 'audit-e2e/1.0' };
    const imported = await client.call<{ app_id: string }>('POST', '/console/api/apps/imports', {
      body: { mode: 'yaml-content', yaml_content: yaml },
      headers: { ...ua, 'x-correlation-id': 'corr-import-1' },
      token,
    });
    expect(imported.status).toBe(200);
    const appId = imported.body.app_id;
    expect((await client.call('POST', `/console/api/apps/${appId}/workflows/publish`, { headers: ua, token })).status).toBe(200);
    const failedImport = await client.call('POST', '/console/api/apps/imports', {
      body: { mode: 'yaml-content', yaml_content: 'kind: app\nversion: 0.1.5\napp: {mode: nope}' },
      headers: ua,
      token,
    });
    expect(failedImport.status).toBe(400);
    const key = await client.call<{ id: string; token: string }>('POST', `/console/api/apps/${appId}/api-keys`, { headers: ua, token });
    expect(key.status).toBe(201);
    const provider = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_key: 'sk-very-secret-value' } },
      headers: ua,
      token,
    });
    expect(provider.status).toBe(200);
    const run = await client.call('POST', '/v1/workflows/run', {
      body: { inputs: { name: 'Ada' }, response_mode: 'blocking', user: 'end-user-42' },
      headers: { ...ua, 'x-correlation-id': 'corr-run-1' },
      token: key.body.token,
    });
    expect(run.status).toBe(200);
    const datasetKey = await client.call<{ token: string; id: string }>('POST', '/console/api/datasets/api-keys', { headers: ua, token });
    expect(datasetKey.status).toBe(201);
    const dataset = await client.call<{ id: string }>('POST', '/v1/datasets', {
      body: { indexing_technique: 'economy', name: 'Audited' },
      headers: ua,
      token: datasetKey.body.token,
    });
    expect(dataset.status).toBe(200);
    expect((await client.call('DELETE', `/v1/datasets/${dataset.body.id}`, { headers: ua, token: datasetKey.body.token })).status).toBe(
      204,
    );

    let all: AuditRecord[] = [];
    await expectEventually(async () => {
      all = (await logs()).data;
      for (const action of [
        'app.imported',
        'app.published',
        'provider_credentials.updated',
        'run.started',
        'dataset.created',
        'dataset.deleted',
      ]) {
        expect(all.map((r) => r.action)).toContain(action);
      }
    });
    const byAction = (action: string) => all.filter((r) => r.action === action);
    const [importEvent, failedEvent] = [
      byAction('app.imported').find((r) => r.outcome === 'success')!,
      byAction('app.imported').find((r) => r.outcome === 'failure')!,
    ];
    expect(importEvent).toMatchObject({
      actor: { type: 'account' },
      correlation_id: 'corr-import-1',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      resource: { id: appId, type: 'app' },
      service: 'gateway',
      user_agent: 'audit-e2e/1.0',
      workspace_id: workspaceId,
    });
    expect(importEvent.actor.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(importEvent.occurred_at)).toBeGreaterThan(Date.now() - 5 * 60_000);
    expect(failedEvent).toMatchObject({ details: expect.objectContaining({ status: 'failed' }), resource: { id: null, type: 'app' } });
    expect(byAction('app.published')[0]).toMatchObject({ outcome: 'success', resource: { id: appId, type: 'app' } });
    const providerEvent = byAction('provider_credentials.updated')[0];
    expect(providerEvent).toMatchObject({ details: { fields: ['openai_api_key'] }, resource: { id: 'openai', type: 'model_provider' } });
    expect(JSON.stringify(all)).not.toContain('sk-very-secret-value');
    expect(JSON.stringify(all)).not.toContain(key.body.token);
    expect(byAction('run.started')[0]).toMatchObject({
      actor: { id: key.body.id, type: 'api_key' },
      correlation_id: 'corr-run-1',
      details: expect.objectContaining({
        app_id: appId,
        end_user_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        input_names: ['name'],
        response_mode: 'blocking',
        run_id: (run.body as { workflow_run_id: string }).workflow_run_id,
      }),
      ip: expect.stringMatching(/127\.0\.0\.1/),
      resource: { id: appId, type: 'app' },
      user_agent: 'audit-e2e/1.0',
      workspace_id: workspaceId,
    });
    expect(byAction('dataset.created')[0]).toMatchObject({
      actor: { id: datasetKey.body.id, type: 'api_key' },
      resource: { id: dataset.body.id, type: 'dataset' },
      workspace_id: workspaceId,
    });
    expect(byAction('dataset.deleted')[0]).toMatchObject({ resource: { id: dataset.body.id, type: 'dataset' } });
  });

  it('filters by actor, action, resource and time, pages with a cursor, and shows a workspace only its own records', async () => {
    const all = (await logs()).data;
    const run = all.find((r) => r.action === 'run.started')!;
    expect((await logs({ action: 'run.started' })).data.map((r) => r.id)).toEqual([run.id]);
    expect((await logs({ actor_id: run.actor.id!, actor_type: 'api_key' })).data.map((r) => r.id)).toEqual([run.id]);
    const appEvents = (await logs({ resource_id: run.resource.id!, resource_type: 'app' })).data;
    expect(appEvents.map((r) => r.action).sort()).toEqual(['app.imported', 'app.published', 'run.started']);
    const at = Date.parse(run.occurred_at);
    const windowed = (await logs({ end: new Date(at + 1).toISOString(), start: String(Math.floor(at / 1000)) })).data;
    expect(windowed.map((r) => r.id)).toContain(run.id);
    expect((await logs({ end: String(Math.floor(at / 1000) - 3600) })).data.map((r) => r.id)).not.toContain(run.id);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: LogsPage = await logs({ limit: '3', ...(cursor ? { cursor } : {}) });
      expect(page.data.length).toBeLessThanOrEqual(3);
      paged.push(...page.data.map((r) => r.id));
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(paged).toEqual(all.map((r) => r.id));

    const bad = await client.call('GET', '/console/api/audit/logs?actor_type=robot', { token });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_param', status: 400 });
    expect((await client.call('GET', '/console/api/audit/logs?cursor=garbage', { token })).status).toBe(400);
    expect((await client.call('GET', '/console/api/audit/logs')).status).toBe(401);
    expect((await client.call('GET', '/console/api/audit/verify')).status).toBe(401);

    const other = await client.register();
    const theirs = (await logs({}, other)).data;
    expect(theirs.every((r) => r.workspace_id !== workspaceId)).toBe(true);
    expect(theirs.map((r) => r.id)).not.toContain(run.id);
  });

  it("lets operators verify the whole platform's chain, and finds a row changed, deleted or inserted behind the service", async () => {
    // Only with the operator token: not without one, not with a wrong one, not with a workspace owner's console token.
    for (const credential of [undefined, 'wrong-token', token]) {
      const refused = await client.call('GET', '/v1/system/audit/verify', { token: credential });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'unauthorized', status: 401 });
    }
    await expectEventually(async () => expect(await operatorVerify()).toMatchObject({ result: 'ok', scope: 'platform' }));
    const ok = await operatorVerify();
    expect(ok['checked']).toBeGreaterThan(5);
    const [row] = await queryDatabase<Record<string, unknown>>(
      stack.database.url,
      `SELECT * FROM compliance.audit_events WHERE action = 'app.published'`,
    );
    const seq = Number(row['seq']);

    await tamper(stack.database.url, `UPDATE compliance.audit_events SET outcome = 'failure' WHERE seq = ${seq}`);
    expect(await operatorVerify()).toMatchObject({ first_broken: { id: row['id'], reason: 'hash_mismatch', seq }, result: 'broken' });
    await tamper(stack.database.url, `UPDATE compliance.audit_events SET outcome = 'success' WHERE seq = ${seq}`);
    expect(await operatorVerify()).toMatchObject({ result: 'ok' });

    await tamper(stack.database.url, `DELETE FROM compliance.audit_events WHERE seq = ${seq}`);
    expect(await operatorVerify()).toMatchObject({ first_broken: { reason: 'sequence_gap', seq: seq + 1 }, result: 'broken' });
    // The record was the workspace's own: its admins' check finds the gap in their chain too.
    expect(await verify()).toMatchObject({
      first_broken: { reason: 'sequence_gap', seq: Number(row['workspace_seq']) + 1 },
      result: 'broken',
    });
    await tamper(
      stack.database.url,
      `INSERT INTO compliance.audit_events SELECT * FROM json_populate_record(NULL::compliance.audit_events, '${JSON.stringify(row).replace(/'/g, "''")}'::json)`,
    );
    expect(await operatorVerify()).toMatchObject({ result: 'ok' });

    await tamper(
      stack.database.url,
      `INSERT INTO compliance.audit_events (id, occurred_at, service, actor_type, action, resource_type, outcome, details, seq, prev_hash, hash)
       SELECT gen_random_uuid(), now(), 'gateway', 'account', 'app.deleted', 'app', 'success', '{}', last_seq + 1000, 'x', 'y' FROM compliance.audit_chain_head`,
    );
    expect(await operatorVerify()).toMatchObject({ first_broken: { reason: 'record_after_head' }, result: 'broken' });
    await tamper(stack.database.url, `DELETE FROM compliance.audit_events WHERE prev_hash = 'x'`);
    expect(await operatorVerify()).toMatchObject({ result: 'ok' });
  });

  it("shows a workspace admin only their own workspace's chain: its counts and its breaks, never another workspace's", async () => {
    const tokenB = await client.register();
    const workspaceB = (await client.call<{ id: string }>('GET', '/console/api/workspaces/current', { token: tokenB })).body.id;
    expect((await client.importApp(tokenB, yaml)).status).toBe(200);
    await expectEventually(async () => expect((await logs({ action: 'app.imported' }, tokenB)).data).toHaveLength(1));
    const countOf = async (workspace: string | null) =>
      Number(
        (
          await queryDatabase<{ n: string }>(
            stack.database.url,
            workspace === null
              ? 'SELECT count(*) AS n FROM compliance.audit_events'
              : 'SELECT count(*) AS n FROM compliance.audit_events WHERE workspace_id = $1',
            workspace === null ? [] : [workspace],
          )
        )[0]!.n,
      );

    // A's check counts A's records, all of them and only them, and names A's own head.
    let mine: Record<string, unknown> = {};
    await expectEventually(async () => {
      mine = await verify();
      expect(mine).toMatchObject({ checked: await countOf(workspaceId), result: 'ok', scope: 'workspace' });
    });
    expect(Object.keys(mine).sort()).toEqual(['checked', 'checkpoint', 'head', 'result', 'scope']);
    expect(mine['head']).toEqual({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), seq: mine['checked'] });
    expect(mine['checked']).toBeLessThan(await countOf(null));
    const [lastOfA] = await queryDatabase<{ workspace_hash: string }>(
      stack.database.url,
      'SELECT workspace_hash FROM compliance.audit_events WHERE workspace_id = $1 ORDER BY workspace_seq DESC LIMIT 1',
      [workspaceId],
    );
    expect((mine['head'] as { hash: string }).hash).toBe(lastOfA!.workspace_hash);
    const [platformHead] = await queryDatabase<{ last_hash: string }>(
      stack.database.url,
      'SELECT last_hash FROM compliance.audit_chain_head',
    );
    expect(JSON.stringify(mine)).not.toContain(platformHead!.last_hash);
    await expectEventually(async () =>
      expect(await verify(tokenB)).toMatchObject({ checked: await countOf(workspaceB), result: 'ok', scope: 'workspace' }),
    );

    // A record of B changed behind the service: not A's business, reported to B and to the operators.
    const [theirs] = await queryDatabase<{ id: string; seq: string; workspace_seq: string }>(
      stack.database.url,
      `SELECT id, seq, workspace_seq FROM compliance.audit_events WHERE workspace_id = $1 AND action = 'app.imported'`,
      [workspaceB],
    );
    await tamper(stack.database.url, `UPDATE compliance.audit_events SET outcome = 'failure' WHERE id = '${theirs!.id}'`);
    expect(await verify()).toMatchObject({ checked: mine['checked'], result: 'ok' });
    expect(await verify(tokenB)).toMatchObject({
      first_broken: { id: theirs!.id, reason: 'hash_mismatch', seq: Number(theirs!.workspace_seq) },
      result: 'broken',
      scope: 'workspace',
    });
    expect(await operatorVerify()).toMatchObject({
      first_broken: { id: theirs!.id, reason: 'hash_mismatch', seq: Number(theirs!.seq) },
      result: 'broken',
      scope: 'platform',
    });
    await tamper(stack.database.url, `UPDATE compliance.audit_events SET outcome = 'success' WHERE id = '${theirs!.id}'`);

    // A record of A changed: A's own check finds it, by A's own numbering.
    const [ours] = await queryDatabase<{ id: string; workspace_seq: string }>(
      stack.database.url,
      `SELECT id, workspace_seq FROM compliance.audit_events WHERE workspace_id = $1 AND action = 'app.published'`,
      [workspaceId],
    );
    await tamper(stack.database.url, `UPDATE compliance.audit_events SET outcome = 'failure' WHERE id = '${ours!.id}'`);
    expect(await verify()).toMatchObject({
      first_broken: { id: ours!.id, reason: 'hash_mismatch', seq: Number(ours!.workspace_seq) },
      result: 'broken',
    });
    expect(await verify(tokenB)).toMatchObject({ result: 'ok' });
    await tamper(stack.database.url, `UPDATE compliance.audit_events SET outcome = 'success' WHERE id = '${ours!.id}'`);
    expect(await verify()).toMatchObject({ result: 'ok' });
    expect(await operatorVerify()).toMatchObject({ result: 'ok' });
  });

  it('loses no event and stores none twice while compliance is down, then catches up', async () => {
    const before = (await logs({ action: 'app.published' })).data.length;
    const compliance = stack.processes.compliance;
    expect(await compliance.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const appIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const imported = await client.importApp(token, yaml);
      expect(imported.status).toBe(200);
      appIds.push(imported.body.app_id!);
      expect((await client.call('POST', `/console/api/apps/${imported.body.app_id}/workflows/publish`, { token })).status).toBe(200);
    }
    // Nothing can be stored while compliance is down.
    const stored = await queryDatabase<{ n: string }>(
      stack.database.url,
      `SELECT count(*) AS n FROM compliance.audit_events WHERE resource_id = ANY($1)`,
      [appIds],
    );
    expect(stored[0].n).toBe('0');
    compliance.start();
    await compliance.waitReady();
    await expectEventually(async () => {
      const rows = await queryDatabase<{ action: string; n: string }>(
        stack.database.url,
        `SELECT action, count(*) AS n FROM compliance.audit_events WHERE resource_id = ANY($1) GROUP BY action ORDER BY action`,
        [appIds],
      );
      expect(rows).toEqual([
        { action: 'app.imported', n: '4' },
        { action: 'app.published', n: '4' },
      ]);
    });
    expect((await logs({ action: 'app.published' })).data.length).toBe(before + 4);
    const dup = await queryDatabase<{ n: string; distinct_ids: string }>(
      stack.database.url,
      'SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids FROM compliance.audit_events',
    );
    expect(dup[0].n).toBe(dup[0].distinct_ids);
    expect(await verify()).toMatchObject({ result: 'ok' });
    expect(await operatorVerify()).toMatchObject({ result: 'ok' });
  });
});
