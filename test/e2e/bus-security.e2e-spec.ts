import { randomUUID } from 'node:crypto';
import { HEADERS, inboxPrefixOf, type ServiceName } from '@weft/contracts';
import { natsAuthOptions } from '@weft/messaging';
import { JobGrants } from '@weft/security';
import { infraUrls, TestStack, WeftClient } from '@weft/testing';
import { connect, headers as natsHeaders, JSONCodec, nkeyAuthenticator, type NatsConnection } from 'nats';

const SECRET_KEY = 'bus-security-test-secret-key-0123456789abcdef';
const codec = JSONCodec<unknown>();

type Reply = { ok: true; data: Record<string, unknown> } | { ok: false; error: { code: string; message: string } };

/** A connection as one service's NATS user, as an attacker holding that service's seed would make it. */
function connectAs(service: ServiceName): Promise<NatsConnection> {
  const { nkeySeed } = natsAuthOptions(
    { credentialsDir: infraUrls().natsCredentialsDir, tlsCaFile: undefined, tlsCertFile: undefined, tlsKeyFile: undefined },
    service,
  );
  if (!nkeySeed) throw new Error('the tests run NATS with authentication: NATS_CREDENTIALS_DIR must be known');
  return connect({
    authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeySeed)),
    inboxPrefix: inboxPrefixOf(service),
    servers: infraUrls().natsUrl,
  });
}

/** The error code NATS answers a request with (a permissions violation), or the bus's own reply. */
async function ask(nc: NatsConnection, subject: string, payload: unknown, grant?: string): Promise<Reply | { nats: string }> {
  const h = natsHeaders();
  if (grant) h.set(HEADERS.jobGrant, grant);
  try {
    const msg = await nc.request(subject, codec.encode(payload), { headers: h, timeout: 3000 });
    return codec.decode(msg.data) as Reply;
  } catch (error) {
    return { nats: String((error as { code?: string }).code ?? (error as Error).message) };
  }
}

describe('the internal bus: every service authenticates and reaches only what the contract table grants it', () => {
  let stack: TestStack;
  const client = () => new WeftClient(stack.gateway.baseUrl);
  const wire = (subject: string) => `${stack.natsPrefix}.${subject}`;
  const grants = new JobGrants(SECRET_KEY);
  let workspaceA: string;
  let workspaceB: string;
  let tokenB: string;

  beforeAll(async () => {
    stack = await TestStack.create({ env: { SECRET_KEY } });
    await stack.start();
    const tokenA = await client().register();
    tokenB = await client().register();
    workspaceA = (await client().call<{ id: string }>('GET', '/console/api/workspaces/current', { token: tokenA })).body.id;
    workspaceB = (await client().call<{ id: string }>('GET', '/console/api/workspaces/current', { token: tokenB })).body.id;
    for (const [token, key] of [
      [tokenA, 'sk-workspace-a'],
      [tokenB, 'sk-workspace-b'],
    ]) {
      const saved = await client().call('PUT', '/console/api/workspaces/current/model-providers/openai', {
        body: { credentials: { openai_api_key: key } },
        token,
      });
      expect(saved.status).toBe(200);
    }
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('refuses a connection without credentials', async () => {
    await expect(connect({ servers: infraUrls().natsUrl })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it("refuses a service's credentials for subjects it does not own or call: no run start, no live run events, no audit purge", async () => {
    const runner = await connectAs('node-runner');
    try {
      expect(await ask(runner, wire('wf.run.start.v1'), {})).toEqual({ nats: 'PERMISSIONS_VIOLATION' });
      // Without the job form, the credentials subject is closed to the node runner: it cannot skip the grant.
      expect(await ask(runner, wire('gateway.provider-credentials.v1'), { provider: 'openai', workspaceId: workspaceB })).toEqual({
        nats: 'PERMISSIONS_VIOLATION',
      });
      expect(await ask(runner, `$JS.API.STREAM.PURGE.${stack.natsPrefix}_AUDIT`, {})).toEqual({ nats: 'PERMISSIONS_VIOLATION' });
      const refused = new Promise<string>((resolve) => {
        runner.subscribe(wire('wf.run.event.v1.*'), { callback: (error) => resolve(String(error?.code ?? 'delivered')) });
      });
      await runner.flush().catch(() => undefined);
      expect(await refused).toBe('PERMISSIONS_VIOLATION');
    } finally {
      await runner.close().catch(() => undefined);
    }
    const gateway = await connectAs('gateway');
    try {
      // The gateway may not impersonate the orchestrator's node jobs, nor answer for compliance.
      expect(await ask(gateway, wire('wf.model.generate.v1'), {})).toEqual({ nats: 'PERMISSIONS_VIOLATION' });
      expect(await ask(gateway, `$JS.API.STREAM.DELETE.${stack.natsPrefix}_WF_NODES`, {})).toEqual({ nats: 'PERMISSIONS_VIOLATION' });
    } finally {
      await gateway.close().catch(() => undefined);
    }
  });

  it("gives the node runner a workspace's credentials only with a job grant for that workspace, and audits each refusal", async () => {
    const runner = await connectAs('node-runner');
    const subject = wire('job.gateway.provider-credentials.v1');
    try {
      const forA = grants.issue({ runId: 'run-a', workspaceId: workspaceA }, 60_000);
      expect(await ask(runner, subject, { provider: 'openai', workspaceId: workspaceA }, forA)).toEqual({
        data: { credentials: { openai_api_key: 'sk-workspace-a' } },
        ok: true,
      });
      // The grant of a job in A does not open B, whatever the payload says.
      const crossed = await ask(runner, subject, { provider: 'openai', workspaceId: workspaceB }, forA);
      expect(crossed).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('workspace_mismatch') }, ok: false });
      expect(await ask(runner, subject, { provider: 'openai', workspaceId: workspaceB })).toMatchObject({
        error: { code: 'forbidden', message: expect.stringContaining('missing') },
      });
      const forged = new JobGrants('another-key-the-runner-made-up-0123456789').issue({ runId: 'x', workspaceId: workspaceB }, 60_000);
      expect(await ask(runner, subject, { provider: 'openai', workspaceId: workspaceB }, forged)).toMatchObject({
        error: { code: 'forbidden', message: expect.stringContaining('bad_signature') },
      });
      const expired = grants.issue({ runId: 'old', workspaceId: workspaceB }, 1, Date.now() - 1000);
      expect(await ask(runner, subject, { provider: 'openai', workspaceId: workspaceB }, expired)).toMatchObject({
        error: { code: 'forbidden', message: expect.stringContaining('expired') },
      });
      // Tool files too: recorded and read only for the grant's workspace, and only over bytes that are stored.
      const toolFile = {
        appId: randomUUID(),
        conversationId: null,
        extension: '.mp3',
        id: randomUUID(),
        mimeType: 'audio/mpeg',
        name: 'x.mp3',
        size: 1,
        workspaceId: workspaceB,
      };
      expect(await ask(runner, wire('job.gateway.tool-file.create.v1'), toolFile, forA)).toMatchObject({
        error: { code: 'forbidden', message: expect.stringContaining('workspace_mismatch') },
        ok: false,
      });
      expect(await ask(runner, wire('job.gateway.tool-file.v1'), { toolFileId: toolFile.id, workspaceId: workspaceB }, forA)).toMatchObject(
        {
          error: { code: 'forbidden' },
          ok: false,
        },
      );
      expect(await ask(runner, wire('job.gateway.tool-file.create.v1'), { ...toolFile, workspaceId: workspaceA }, forA)).toMatchObject({
        error: { code: 'invalid_param', message: expect.stringContaining('has no bytes in the file storage') },
        ok: false,
      });
      // Knowledge is held to the grant the same way.
      expect(
        await ask(
          runner,
          wire('job.kb.retrieve.v1'),
          { datasetIds: ['d1'], query: 'q', retrievalModel: null, workspaceId: workspaceB },
          forA,
        ),
      ).toMatchObject({ error: { code: 'forbidden' }, ok: false });
    } finally {
      await runner.close().catch(() => undefined);
    }
    // Workspace B's admins see the attempts on their workspace in the audit trail.
    const refusals = await (async () => {
      for (let i = 0; i < 50; i++) {
        const page = await client().call<{ data: { action: string; details: Record<string, unknown>; outcome: string }[] }>(
          'GET',
          '/console/api/audit/logs?limit=100&action=bus.job_grant.refused',
          { token: tokenB },
        );
        const found = page.body.data?.filter((r) => r.action === 'bus.job_grant.refused') ?? [];
        if (found.length >= 7) return found;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return [];
    })();
    expect(refusals.map((r) => r.details['reason']).sort()).toEqual([
      'bad_signature',
      'expired',
      'missing',
      'workspace_mismatch',
      'workspace_mismatch',
      'workspace_mismatch',
      'workspace_mismatch',
    ]);
    expect(refusals.every((r) => r.outcome === 'failure')).toBe(true);
  });
});
