import {
  DslBuilder,
  endData,
  expectEventually,
  pollUntil,
  queryDatabase,
  templateData,
  textInput,
  TestStack,
  uniqueSuffix,
  WeftClient,
} from '@weft/testing';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ErasureStatus {
  error: string | null;
  id: string;
  status: string;
  steps: { attempts: number; last_error: string | null; service: string; status: string }[];
}

const PASSWORD = 'Correct-Horse-9!';
const SCHEMAS = ['gateway', 'orchestrator', 'rag', 'compliance'];

/** A chatflow that keeps every query in a conversation variable and echoes it in the answer. */
const echoChatflow = new DslBuilder('echo', 'advanced-chat')
  .conversationVariable('log', 'array[string]', [])
  .node('start', 'start', { variables: [] })
  .node('assign', 'assigner', {
    items: [{ input_type: 'variable', operation: 'append', value: ['sys', 'query'], variable_selector: ['conversation', 'log'] }],
    version: '2',
  })
  .node('answer', 'answer', { answer: 'You said: {{#sys.query#}}' })
  .chain('start', 'assign', 'answer')
  .toYaml();

const greeter = new DslBuilder('greeter')
  .node('start', 'start', { variables: [textInput('name')] })
  .node('t', 'template-transform', templateData('Hello {{ name }}', { name: ['start', 'name'] }))
  .node('end', 'end', endData({ out: ['t', 'output'] }))
  .chain('start', 't', 'end')
  .toYaml();

/**
 * Every row of every table of the service schemas holding `needle` in a text, varchar, json or jsonb column,
 * found through information_schema, so tables added later are covered without changing this test.
 */
async function rowsHolding(url: string, needle: string): Promise<string[]> {
  const columns = await queryDatabase<{ table_schema: string; table_name: string; column_name: string }>(
    url,
    `SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = ANY($1) AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`,
    [SCHEMAS],
  );
  expect(columns.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const c of columns) {
    const [row] = await queryDatabase<{ n: string }>(
      url,
      `SELECT count(*) AS n FROM "${c.table_schema}"."${c.table_name}" WHERE "${c.column_name}"::text ILIKE $1`,
      [`%${needle}%`],
    );
    if (Number(row.n) > 0) found.push(`${c.table_schema}.${c.table_name}.${c.column_name} (${row.n})`);
  }
  return found;
}

describe('GDPR rights: export, erasure, legal holds', () => {
  let stack: TestStack;
  let client: WeftClient;

  const register = async (email: string, name: string) => {
    const account = await client.signUp(email, { name, password: PASSWORD });
    return { accountId: account.account_id, token: account.access_token, workspaceId: account.workspace_id };
  };
  const auditActions = async (token: string) => {
    const res = await client.call<{ data: { action: string; details: Record<string, unknown>; outcome: string }[] }>(
      'GET',
      '/console/api/audit/logs?limit=100',
      { token },
    );
    expect(res.status).toBe(200);
    return res.body.data;
  };

  beforeAll(async () => {
    stack = await TestStack.create({ env: { LOG_LEVEL: 'warn', PRIVACY_JOB_LEASE_SECONDS: '3' } });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('exports everything held about the account as one sealed archive, downloadable once through its link', async () => {
    const suffix = uniqueSuffix();
    const email = `export-${suffix}@example.com`;
    const me = await register(email, `Exporting Person ${suffix}`);
    const { appId } = await client.deploy(me.token, greeter);
    const datasetKey = await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: me.token });
    const dataset = await client.call<{ id: string }>('POST', '/v1/datasets', {
      body: { indexing_technique: 'economy', name: `Notes ${suffix}` },
      token: datasetKey.body.token,
    });
    expect(dataset.status).toBe(200);
    const doc = await client.call<{ document: { id: string } }>('POST', `/v1/datasets/${dataset.body.id}/document/create-by-text`, {
      body: { indexing_technique: 'economy', name: 'diary', process_rule: { mode: 'automatic' }, text: `Dear diary ${suffix}` },
      token: datasetKey.body.token,
    });
    expect(doc.status).toBe(200);
    await pollUntil(async () => {
      const [row] = await queryDatabase<{ indexing_status: string }>(
        stack.database.url,
        'SELECT indexing_status FROM rag.documents WHERE id = $1',
        [doc.body.document.id],
      );
      return row?.indexing_status === 'completed' ? true : undefined;
    });

    const started = await client.call<{ id: string; status: string; download_url: string; status_url: string }>(
      'POST',
      '/console/api/account/data-export',
      { token: me.token },
    );
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'pending', status_url: `/console/api/account/data-export/${started.body.id}` });
    expect(started.body.download_url).toMatch(
      new RegExp(`^/console/api/account/data-export/${started.body.id}/download\\?token=[A-Za-z0-9_-]{43}$`),
    );
    // A second request while one is being prepared is refused; another account cannot see this one.
    expect((await client.call('POST', '/console/api/account/data-export', { token: me.token })).status).toBe(409);
    const other = await register(`other-${suffix}@example.com`, 'Other Person');
    expect((await client.call('GET', started.body.status_url, { token: other.token })).status).toBe(404);

    const done = await pollUntil(
      async () => {
        const res = await client.call<{ status: string; finished_at: string | null; expires_at: string | null; size: number }>(
          'GET',
          started.body.status_url,
          { token: me.token },
        );
        expect(res.status).toBe(200);
        expect(res.body.status).not.toBe('failed');
        return res.body.status === 'completed' ? res.body : undefined;
      },
      { timeoutMs: 30_000, what: 'the export to complete' },
    );
    expect(Date.parse(done.expires_at!)).toBeGreaterThan(Date.now() + 23 * 3600_000);

    // At rest the archive is AES-256-GCM ciphertext: nothing of the account is readable in the stored file.
    const stored = join(process.cwd(), '.weft', 'storage', 'privacy', 'exports', `${started.body.id}.weftx`);
    expect(existsSync(stored)).toBe(true);
    const sealed = readFileSync(stored);
    expect(sealed.length).toBe(done.size);
    expect(sealed.subarray(0, 6).toString()).toBe('WEFTX1');
    expect(sealed.includes(Buffer.from(email))).toBe(false);

    const wrong = await client.call('GET', `/console/api/account/data-export/${started.body.id}/download?token=${'x'.repeat(43)}`);
    expect(wrong.status).toBe(404);
    const res = await fetch(`${stack.gateway.baseUrl}${started.body.download_url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const archive = (await res.json()) as { account_id: string; services: Record<string, Record<string, Record<string, unknown>[]>> };
    expect(archive.account_id).toBe(me.accountId);
    const { compliance, gateway, orchestrator, rag } = archive.services;
    expect(gateway['profile']).toEqual([expect.objectContaining({ email, id: me.accountId, name: `Exporting Person ${suffix}` })]);
    expect(gateway['workspaces']).toEqual([expect.objectContaining({ id: me.workspaceId, role: 'owner' })]);
    expect(gateway['apps']!.map((a) => a['id'])).toEqual([appId]);
    expect(gateway['sessions']!.length).toBeGreaterThan(0);
    expect(orchestrator['workflows']!.length).toBeGreaterThan(0);
    expect(rag['datasets']!.map((d) => d['id'])).toEqual([dataset.body.id]);
    expect(rag['documents']).toEqual([expect.objectContaining({ id: doc.body.document.id, name: 'diary' })]);
    expect(rag['document_segments']).toEqual([
      expect.objectContaining({ content: `Dear diary ${suffix}`, document_id: doc.body.document.id }),
    ]);
    expect(compliance['audit_records']!.map((r) => r['action'])).toEqual(expect.arrayContaining(['account.registered', 'app.imported']));
    expect(JSON.stringify(archive)).not.toContain(`other-${suffix}`);

    // Once only: the second download is gone, and so is the stored file.
    const again = await client.call('GET', started.body.download_url);
    expect(again.status).toBe(410);
    expect(again.body).toMatchObject({ code: 'gone', status: 410 });
    expect(existsSync(stored)).toBe(false);
    await expectEventually(async () => {
      const events = await auditActions(me.token);
      for (const action of ['privacy.export.requested', 'privacy.export.completed', 'privacy.export.downloaded'])
        expect(events.map((e) => e.action)).toContain(action);
    });
  });

  it("erases an end user's messages and run data by `user` string, honours a legal hold, keeps counts, and finishes after compliance is killed", async () => {
    const suffix = uniqueSuffix();
    const admin = await register(`admin-${suffix}@example.com`, 'Workspace Admin');
    const chat = await client.deploy(admin.token, echoChatflow);
    const flow = await client.deploy(admin.token, greeter);
    const endUser = `erin.enduser.${suffix}@example.com`;
    const secret = `my secret diagnosis ${suffix}`;
    const bystander = `bob-${suffix}`;
    for (const [user, query] of [
      [endUser, secret],
      [endUser, `${secret} again`],
      [bystander, 'hello there'],
    ]) {
      const sent = await client.call<{ answer: string; conversation_id: string }>('POST', '/v1/chat-messages', {
        body: { inputs: {}, query, response_mode: 'blocking', user },
        token: chat.key,
      });
      expect(sent.status).toBe(200);
      expect(sent.body.answer).toBe(`You said: ${query}`);
    }
    expect((await client.run(flow.key, { name: `Erin ${suffix}` }, endUser)).status).toBe(200);
    expect((await rowsHolding(stack.database.url, secret)).length).toBeGreaterThan(0);
    const runsBefore = await queryDatabase<{ n: string }>(
      stack.database.url,
      'SELECT count(*) AS n FROM orchestrator.workflow_runs WHERE workspace_id = $1',
      [admin.workspaceId],
    );

    // Only admins may ask, and a legal hold on the workspace stops it.
    const invited = await register(`member-${suffix}@example.com`, 'Plain Member');
    await client.inviteAndAccept(admin.token, `member-${suffix}@example.com`, invited.token, 'normal');
    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: admin.workspaceId },
      token: invited.token,
    });
    expect(
      (
        await client.call('POST', '/console/api/workspaces/current/end-users/erase', {
          body: { user: endUser },
          token: switched.body.access_token,
        })
      ).status,
    ).toBe(403);
    const hold = await client.call<{ id: string }>('POST', '/console/api/workspaces/current/legal-holds', {
      body: { reason: 'litigation 42' },
      token: admin.token,
    });
    expect(hold.status).toBe(201);
    const refused = await client.call('POST', '/console/api/workspaces/current/end-users/erase', {
      body: { user: endUser },
      token: admin.token,
    });
    expect(refused.status).toBe(409);
    expect(refused.body['message']).toMatch(/legal hold/);
    // The hold also stops the orchestrator's retention job from deleting the workspace's runs, until released.
    const retention = async () =>
      (await client.call<{ legal_hold: boolean }>('GET', '/console/api/workspaces/current/retention', { token: admin.token })).body
        .legal_hold;
    expect(await retention()).toBe(true);
    const holds = await client.call<{ data: { id: string; released_at: string | null }[] }>(
      'GET',
      '/console/api/workspaces/current/legal-holds',
      { token: admin.token },
    );
    expect(holds.body.data).toEqual([expect.objectContaining({ id: hold.body.id, released_at: null })]);
    expect(
      (await client.call('DELETE', `/console/api/workspaces/current/legal-holds/${hold.body.id}`, { token: admin.token })).status,
    ).toBe(200);
    expect(
      (await client.call('DELETE', `/console/api/workspaces/current/legal-holds/${hold.body.id}`, { token: admin.token })).status,
    ).toBe(404);
    expect(await retention()).toBe(false);
    expect(
      (await client.call('POST', '/console/api/workspaces/current/end-users/erase', { body: { user: '' }, token: admin.token })).status,
    ).toBe(400);

    // The orchestrator is away: the saga keeps retrying its first step (the orchestrator's, which asks the
    // gateway which end users to erase) and does not go on to the gateway's.
    await stack.processes.orchestrator.stop('SIGTERM');
    const started = await client.call<{ id: string; status_url: string }>('POST', `/console/api/apps/${chat.appId}/end-users/erase`, {
      body: { user: endUser },
      token: admin.token,
    });
    expect(started.status).toBe(202);
    const status = async () => {
      const res = await client.call<ErasureStatus>('GET', started.body.status_url, { token: admin.token });
      expect(res.status).toBe(200);
      return res.body;
    };
    await expectEventually(
      async () => {
        const s = await status();
        expect(s.status).toBe('running');
        expect(s.steps).toEqual([
          expect.objectContaining({ last_error: expect.stringMatching(/orchestrator/), service: 'orchestrator', status: 'pending' }),
          expect.objectContaining({ service: 'gateway', status: 'pending' }),
          expect.objectContaining({ service: 'compliance', status: 'pending' }),
        ]);
        expect(s.steps[0]!.attempts).toBeGreaterThanOrEqual(1);
      },
      { timeoutMs: 20_000 },
    );
    // Compliance dies mid-saga; the saga is in its table, and the restarted service finishes it.
    await stack.processes.compliance.stop('SIGKILL');
    stack.processes.orchestrator.start();
    await stack.processes.orchestrator.waitReady();
    stack.processes.compliance.start();
    await stack.processes.compliance.waitReady();
    const finished = await pollUntil(
      async () => {
        const s = await status();
        expect(s.status).not.toBe('failed');
        return s.status === 'completed' ? s : undefined;
      },
      { timeoutMs: 60_000, what: 'the erasure to complete after the restart' },
    );
    expect(finished.steps.every((s) => s.status === 'completed')).toBe(true);

    // The end user (only in the chat app: the erasure was scoped to it) left nothing behind in that app.
    const leftovers = await rowsHolding(stack.database.url, secret);
    expect(leftovers).toEqual([]);
    const remaining = await queryDatabase<{ app_id: string }>(
      stack.database.url,
      'SELECT app_id FROM gateway.end_users WHERE workspace_id = $1 AND session_id = $2',
      [admin.workspaceId, endUser],
    );
    expect(remaining.map((r) => r.app_id)).toEqual([flow.appId]);
    // Aggregates stay: runs are kept without their content, message counts move to erased_usage.
    const runsAfter = await queryDatabase<{ n: string }>(
      stack.database.url,
      'SELECT count(*) AS n FROM orchestrator.workflow_runs WHERE workspace_id = $1',
      [admin.workspaceId],
    );
    expect(runsAfter[0]!.n).toBe(runsBefore[0]!.n);
    const usage = await queryDatabase<{ messages: number; conversations: number }>(
      stack.database.url,
      'SELECT messages, conversations FROM orchestrator.erased_usage WHERE app_id = $1',
      [chat.appId],
    );
    expect(usage).toEqual([{ conversations: 2, messages: 2 }]);
    const bystanderMessages = await queryDatabase(
      stack.database.url,
      `SELECT m.id FROM orchestrator.messages m JOIN gateway.end_users e ON e.id = m.end_user_id WHERE e.session_id = $1`,
      [bystander],
    );
    expect(bystanderMessages).toHaveLength(1);

    // Then the workspace-wide route takes the rest (the workflow app), and a repeat finds nothing left.
    const wide = await client.call<{ status_url: string }>('POST', '/console/api/workspaces/current/end-users/erase', {
      body: { user: endUser },
      token: admin.token,
    });
    expect(wide.status).toBe(202);
    await pollUntil(
      async () =>
        (await client.call<ErasureStatus>('GET', wide.body.status_url, { token: admin.token })).body.status === 'completed'
          ? true
          : undefined,
      {
        timeoutMs: 30_000,
        what: 'the workspace-wide erasure',
      },
    );
    expect(await rowsHolding(stack.database.url, endUser)).toEqual([]);
    expect(await rowsHolding(stack.database.url, `Erin ${suffix}`)).toEqual([]);

    await expectEventually(async () => {
      const events = await auditActions(admin.token);
      expect(events.filter((e) => e.action === 'privacy.erasure.completed' && e.outcome === 'success')).toHaveLength(2);
      expect(events.map((e) => e.action)).toEqual(
        expect.arrayContaining(['privacy.erasure.requested', 'legal_hold.placed', 'legal_hold.released']),
      );
      // One keyed pseudonym follows the end user through the trail: both erasures (compliance) and the
      // end user's three runs (gateway) name the same one; the bystander's run another; and it is not a
      // plain hash of the `user` string, which anyone could confirm by hashing a guess.
      const erased = events
        .filter((e) => e.action === 'privacy.erasure.completed')
        .map((e) => (e.details['subject'] as { end_user_hash: string }).end_user_hash);
      expect(new Set(erased).size).toBe(1);
      const pseudonym = erased[0]!;
      expect(pseudonym).toMatch(/^[0-9a-f]{64}$/);
      expect(pseudonym).not.toBe(createHash('sha256').update(`${admin.workspaceId}\u0000${endUser}`).digest('hex'));
      const runs = events.filter((e) => e.action === 'run.started').map((e) => e.details['end_user_hash']);
      expect(runs).toHaveLength(4);
      expect(runs.filter((hash) => hash === pseudonym)).toHaveLength(3);
    });
    const verify = await client.call('GET', '/console/api/audit/verify', { token: admin.token });
    expect(verify.body).toMatchObject({ result: 'ok' });
  });

  it('stops an erasure before its next step when a legal hold is placed while it runs, and resumes it through its status link once released', async () => {
    const suffix = uniqueSuffix();
    const email = `dora-${suffix}@example.com`;
    const dora = await register(email, 'Dora Held');
    const boss = await register(`boss2-${suffix}@example.com`, 'Second Boss');
    await client.inviteAndAccept(boss.token, email, dora.token, 'editor');

    // The rag step is in flight (rag frozen) when the boss puts his workspace, one of Dora's, on hold.
    const rag = stack.processes.rag;
    process.kill(rag.pid!, 'SIGSTOP');
    let started: { status: number; body: { id: string; status_url: string } };
    let hold: { status: number; body: { id: string } };
    try {
      started = await client.call<{ id: string; status_url: string }>('POST', '/console/api/account/erase', {
        body: { password: PASSWORD },
        token: dora.token,
      });
      expect(started.status).toBe(202);
      await expectEventually(
        async () =>
          expect((await client.call<ErasureStatus>('GET', started.body.status_url)).body.steps.map((s) => s.status)).toEqual([
            'completed',
            'completed',
            'pending',
            'pending',
          ]),
        {
          timeoutMs: 20_000,
        },
      );
      hold = await client.call<{ id: string }>('POST', '/console/api/workspaces/current/legal-holds', {
        body: { reason: 'audit 7' },
        token: boss.token,
      });
      expect(hold.status).toBe(201);
    } finally {
      process.kill(rag.pid!, 'SIGCONT');
    }
    // The step under way finishes; the next one does not start. (The hold normally lands while the rag
    // step is in flight, so the compliance step is the one stopped; should the saga not have sent the rag
    // step yet, that one is.)
    const stopped = await pollUntil(
      async () => {
        const res = await client.call<ErasureStatus>('GET', started.body.status_url);
        return res.body.status === 'failed' ? res.body : undefined;
      },
      { timeoutMs: 30_000, what: 'the held erasure to stop' },
    );
    expect(stopped.error).toContain(`legal hold ${hold.body.id}`);
    expect(stopped.steps.map((s) => s.service)).toEqual(['gateway', 'orchestrator', 'rag', 'compliance']);
    const at = stopped.steps.findIndex((s) => s.status === 'failed');
    expect(at).toBeGreaterThanOrEqual(2);
    expect(stopped.steps.slice(0, at).map((s) => s.status)).toEqual(Array(at).fill('completed'));
    expect(stopped.steps[at]!.last_error).toContain('legal hold');
    expect(stopped.steps.slice(at + 1).map((s) => s.status)).toEqual(Array(3 - at).fill('pending'));
    await expectEventually(async () => {
      const [row] = await queryDatabase<{ details: { error: string }; outcome: string }>(
        stack.database.url,
        `SELECT outcome, details FROM compliance.audit_events WHERE action = 'privacy.erasure.completed' AND resource_id = $1`,
        [started.body.id],
      );
      expect(row).toMatchObject({ details: { error: expect.stringContaining('legal hold') }, outcome: 'failure' });
    });

    // Dora can no longer sign in; her status link takes the erasure up again once the hold is released.
    const resumeUrl = started.body.status_url.replace('?token=', '/resume?token=');
    expect((await client.call('POST', resumeUrl)).status).toBe(409);
    expect((await client.call('POST', resumeUrl.replace(/token=.*/, 'token=not-the-token'))).status).toBe(404);
    expect((await client.call('POST', `/console/api/account/erase/${started.body.id}/resume`)).status).toBe(400);
    expect((await client.call('DELETE', `/console/api/workspaces/current/legal-holds/${hold.body.id}`, { token: boss.token })).status).toBe(
      200,
    );
    const resumed = await client.call<ErasureStatus>('POST', resumeUrl);
    expect(resumed.status).toBe(202);
    expect(resumed.body.status).toBe('pending');
    const finished = await pollUntil(
      async () => {
        const res = await client.call<ErasureStatus>('GET', started.body.status_url);
        expect(res.body.status).not.toBe('failed');
        return res.body.status === 'completed' ? res.body : undefined;
      },
      { timeoutMs: 30_000, what: 'the resumed erasure' },
    );
    expect(finished.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(await rowsHolding(stack.database.url, email)).toEqual([]);
    expect((await client.call('POST', resumeUrl)).status).toBe(409);
    await expectEventually(async () => {
      const rows = await queryDatabase(
        stack.database.url,
        `SELECT 1 FROM compliance.audit_events WHERE action = 'privacy.erasure.resumed' AND resource_id = $1`,
        [started.body.id],
      );
      expect(rows).toHaveLength(1);
    });
  });

  it('erases an account: password, ownership and legal holds checked, personal fields anonymized, nothing left in any schema', async () => {
    const suffix = uniqueSuffix();
    const email = `carol-${suffix}@example.com`;
    const name = `Carol Erasable ${suffix}`;
    const carol = await register(email, name);
    const boss = await register(`boss-${suffix}@example.com`, 'The Boss');
    await client.deploy(carol.token, greeter);
    const datasetKey = await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: carol.token });
    const dataset = await client.call<{ id: string }>('POST', '/v1/datasets', {
      body: { indexing_technique: 'economy', name: 'Private notes' },
      token: datasetKey.body.token,
    });
    const docText = `carol's private memo ${suffix}`;
    expect(
      (
        await client.call('POST', `/v1/datasets/${dataset.body.id}/document/create-by-text`, {
          body: { indexing_technique: 'economy', name: 'memo', process_rule: { mode: 'automatic' }, text: docText },
          token: datasetKey.body.token,
        })
      ).status,
    ).toBe(200);
    // Carol is also a member of the boss's workspace, and has had the boss in her own.
    await client.inviteAndAccept(boss.token, email, carol.token, 'editor');
    await client.inviteAndAccept(carol.token, `boss-${suffix}@example.com`, boss.token, 'normal');
    expect((await rowsHolding(stack.database.url, email)).length).toBeGreaterThan(0);

    expect(
      (await client.call('POST', '/console/api/account/erase', { body: { password: 'Wrong-Horse-9!' }, token: carol.token })).status,
    ).toBe(400);
    const owning = await client.call('POST', '/console/api/account/erase', { body: { password: PASSWORD }, token: carol.token });
    expect(owning.status).toBe(409);
    expect(owning.body['message']).toContain(
      'Transfer its ownership (POST /console/api/workspaces/current/members/{member_id}/owner-transfer) or remove its other members',
    );
    // She hands her workspace (named after her) to the boss: it outlives her, under a name that no longer names her.
    const transferred = await client.call('POST', `/console/api/workspaces/current/members/${boss.accountId}/owner-transfer`, {
      body: { password: PASSWORD },
      token: carol.token,
    });
    expect(transferred.status).toBe(200);

    // A hold the boss places on Carol's account (she is a member of his workspace) stops her erasure.
    const hold = await client.call<{ id: string }>('POST', '/console/api/workspaces/current/legal-holds', {
      body: { account_id: carol.accountId, reason: 'audit of Q3' },
      token: boss.token,
    });
    expect(hold.status).toBe(201);
    const held = await client.call('POST', '/console/api/account/erase', { body: { password: PASSWORD }, token: carol.token });
    expect(held.status).toBe(409);
    expect(held.body['message']).toMatch(/legal hold on the account/);
    expect((await client.call('DELETE', `/console/api/workspaces/current/legal-holds/${hold.body.id}`, { token: boss.token })).status).toBe(
      200,
    );

    // The rag service is frozen (SIGSTOP): the saga's rag step is in flight, its lease held, when compliance is killed.
    const rag = stack.processes.rag;
    process.kill(rag.pid!, 'SIGSTOP');
    let started: { status: number; body: { id: string; status_url: string } };
    try {
      started = await client.call<{ id: string; status_url: string }>('POST', '/console/api/account/erase', {
        body: { delete_documents: true, password: PASSWORD },
        token: carol.token,
      });
      expect(started.status).toBe(202);
      expect(started.body.status_url).toMatch(/\?token=/);
      // The status link works without a session (the account's sessions end during erasure), and only with its token.
      expect((await client.call('GET', `/console/api/account/erase/${started.body.id}?token=nope`)).status).toBe(404);
      await expectEventually(
        async () => {
          const res = await client.call<ErasureStatus>('GET', started.body.status_url);
          expect(res.body.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'pending', 'pending']);
          const [lease] = await queryDatabase<{ lease_owner: string | null }>(
            stack.database.url,
            'SELECT lease_owner FROM compliance.erasure_requests WHERE id = $1',
            [started.body.id],
          );
          expect(lease!.lease_owner).not.toBeNull();
        },
        { timeoutMs: 20_000 },
      );
      await stack.processes.compliance.stop('SIGKILL');
    } finally {
      process.kill(rag.pid!, 'SIGCONT');
    }
    // The restarted compliance service takes the saga over once the dead one's lease lapses, and sends the rag step again.
    stack.processes.compliance.start();
    await stack.processes.compliance.waitReady();
    const finished = await pollUntil(
      async () => {
        const res = await client.call<ErasureStatus>('GET', started.body.status_url);
        expect(res.status).toBe(200);
        expect(res.body.status).not.toBe('failed');
        return res.body.status === 'completed' ? res.body : undefined;
      },
      { timeoutMs: 30_000, what: 'the account erasure' },
    );
    expect(finished.steps.map((s) => s.service)).toEqual(['gateway', 'orchestrator', 'rag', 'compliance']);

    expect((await client.call('GET', '/console/api/account/profile', { token: carol.token })).status).toBe(401);
    expect((await client.call('POST', '/console/api/login', { body: { email, password: PASSWORD } })).status).toBe(401);
    const [account] = await queryDatabase<{ email: string; name: string; status: string }>(
      stack.database.url,
      'SELECT email, name, status FROM gateway.accounts WHERE id = $1',
      [carol.accountId],
    );
    expect(account).toEqual({ email: `deleted_user_${carol.accountId}@anonymized.local`, name: 'Deleted user', status: 'anonymized' });
    const workspaces = await queryDatabase<{ name: string }>(stack.database.url, 'SELECT name FROM gateway.workspaces WHERE id = $1', [
      carol.workspaceId,
    ]);
    expect(workspaces).toEqual([{ name: 'Workspace' }]);
    for (const needle of [email, name, docText]) expect(await rowsHolding(stack.database.url, needle)).toEqual([]);
    // Her audit records stay, pseudonymous (her id, never her name or address), and the chain still verifies.
    const trail = await queryDatabase<{ n: string }>(
      stack.database.url,
      `SELECT count(*) AS n FROM compliance.audit_events WHERE actor_id = $1`,
      [carol.accountId],
    );
    expect(Number(trail[0]!.n)).toBeGreaterThan(3);
    await expectEventually(async () => {
      const events = await auditActions(boss.token);
      expect(events.some((e) => e.action === 'legal_hold.released')).toBe(true);
      const [row] = await queryDatabase<{ outcome: string }>(
        stack.database.url,
        `SELECT outcome FROM compliance.audit_events WHERE action = 'privacy.erasure.completed' AND resource_id = $1`,
        [started.body.id],
      );
      expect(row).toEqual({ outcome: 'success' });
    });
    expect((await client.call('GET', '/console/api/audit/verify', { token: boss.token })).body).toMatchObject({ result: 'ok' });
  });
});
