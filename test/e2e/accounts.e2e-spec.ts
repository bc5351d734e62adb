import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
  DslBuilder,
  expectEventually,
  mailedInvitationToken,
  queryDatabase,
  TestStack,
  WeftClient,
  type ServiceProcess,
} from '@weft/testing';

const K1 = 'k1-secret-for-the-accounts-e2e-test-0123456789';
const K2 = 'k2-secret-for-the-accounts-e2e-test-9876543210';
const PASSWORD = 'Correct-Horse-9!';

interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  account_id?: string;
  workspace_id?: string;
}

const workflowYaml = (name: string) =>
  new DslBuilder(name).node('start', 'start', { variables: [] }).node('end', 'end', { outputs: [] }).chain('start', 'end').toYaml();
const uniqueEmail = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

describe('console accounts, sessions, members and keys', () => {
  let stack: TestStack;
  let client: WeftClient;

  /** A fresh account, signed up through the code mailed to the stack's test mail server (see test/e2e/account-mail.e2e-spec.ts). */
  async function register(email = uniqueEmail('user'), c = client): Promise<Tokens & { email: string }> {
    return c.signUp(email, { name: 'Person', password: PASSWORD });
  }

  /** The token of the invitation mail to `email` after the first `seen` mails to it. */
  async function invitationToken(email: string, seen: number): Promise<string> {
    return mailedInvitationToken(await stack.mail!.nextMail(email, seen));
  }

  async function login(email: string, password = PASSWORD, c = client) {
    return c.call<Tokens & { code?: string; message?: string }>('POST', '/console/api/login', { body: { email, password } });
  }

  beforeAll(async () => {
    stack = await TestStack.create({
      env: {
        JWT_SIGNING_KEYS: `k1:${K1}`,
        LOGIN_SLOWDOWN_AFTER_FAILURES: '2',
        LOGIN_LOCKOUT_AFTER_FAILURES: '3',
        LOGIN_LOCKOUT_MINUTES: '1',
      },
    });
    await stack.start(['gateway', 'orchestrator', 'compliance']);
    client = new WeftClient(stack.gateway.baseUrl);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('registers with argon2id and the password policy, naming each unmet rule', async () => {
    const weak = await client.call('POST', '/console/api/register', {
      body: { email: uniqueEmail('weak'), name: 'Weak', password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ code: 'invalid_param', status: 400 });
    for (const rule of ['at least 12 characters', 'an upper-case letter', 'a digit', 'a special character'])
      expect(weak.body['message']).toContain(rule);
    expect(weak.body['message']).not.toContain('lower-case');

    const account = await register();
    expect(account).toMatchObject({ expires_in: 900, token_type: 'Bearer' });
    expect(account.refresh_token).toMatch(/^[\w-]{40,}$/);
    const [row] = await queryDatabase<{ password_hash: string }>(
      stack.database.url,
      `SELECT password_hash FROM gateway.accounts WHERE email = $1`,
      [account.email],
    );
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(row!.password_hash).not.toContain(PASSWORD);

    // An address that has an account gets the answer a new one gets (a code was mailed, or a notice to its
    // owner); the account and its password do not change.
    const duplicate = await client.call('POST', '/console/api/register', {
      body: { email: account.email, name: 'Again', password: 'Another-Horse-9!' },
    });
    expect(duplicate.status).toBe(202);
    expect(duplicate.body).toEqual({ result: 'success', data: expect.any(String) });
    const [after] = await queryDatabase<{ password_hash: string }>(
      stack.database.url,
      `SELECT password_hash FROM gateway.accounts WHERE email = $1`,
      [account.email],
    );
    expect(after!.password_hash).toBe(row!.password_hash);
    const profile = await client.call('GET', '/console/api/account/profile', { token: account.access_token });
    expect(profile.body).toMatchObject({ email: account.email, name: 'Person', role: 'owner', current_workspace_id: account.workspace_id });
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const account = await register();
    const wrong = await login(account.email, 'Wrong-Horse-9!');
    const unknown = await login(uniqueEmail('nobody'));
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    const ok = await login(account.email);
    expect(ok.status).toBe(200);
    expect(ok.body.refresh_token).toBeTruthy();
  });

  it('rotates refresh tokens; reusing a spent one revokes the whole family, access tokens included', async () => {
    const account = await register();
    const first = await client.call<Tokens>('POST', '/console/api/refresh-token', { body: { refresh_token: account.refresh_token } });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(account.refresh_token);
    const second = await client.call<Tokens>('POST', '/console/api/refresh-token', { body: { refresh_token: first.body.refresh_token } });
    expect(second.status).toBe(200);
    expect((await client.call('GET', '/console/api/apps', { token: second.body.access_token })).status).toBe(200);

    // The first token is presented again, as a thief who copied it would.
    const reused = await client.call('POST', '/console/api/refresh-token', { body: { refresh_token: account.refresh_token } });
    expect(reused.status).toBe(401);
    expect((await client.call('POST', '/console/api/refresh-token', { body: { refresh_token: second.body.refresh_token } })).status).toBe(
      401,
    );
    expect((await client.call('GET', '/console/api/apps', { token: second.body.access_token })).status).toBe(401);
    const [session] = await queryDatabase<{ revoked_reason: string }>(
      stack.database.url,
      `SELECT s.revoked_reason FROM gateway.auth_sessions s JOIN gateway.accounts a ON a.id = s.account_id WHERE a.email = $1`,
      [account.email],
    );
    expect(session!.revoked_reason).toBe('refresh_token_reuse');

    // Another login of the same account is a separate family and still works.
    expect((await login(account.email)).status).toBe(200);
    for (const bad of [{}, { refresh_token: '' }, { refresh_token: 'x'.repeat(600) }, { refresh_token: 42 }]) {
      const res = await client.call('POST', '/console/api/refresh-token', { body: bad });
      expect(res.status).toBe(400);
    }
    expect((await client.call('POST', '/console/api/refresh-token', { body: { refresh_token: 'never-issued' } })).status).toBe(401);
  });

  it('logs out: the session’s access and refresh tokens stop working', async () => {
    const account = await register();
    expect((await client.call('POST', '/console/api/logout', { token: account.access_token })).status).toBe(200);
    expect((await client.call('GET', '/console/api/apps', { token: account.access_token })).status).toBe(401);
    expect((await client.call('POST', '/console/api/refresh-token', { body: { refresh_token: account.refresh_token } })).status).toBe(401);
    expect((await client.call('POST', '/console/api/logout', {})).status).toBe(401);
  });

  it('refuses expired tokens, tokens signed with another key or without a key id, and alg none', async () => {
    const account = await register();
    const claims = jwt.decode(account.access_token) as { sub: string; wid: string; sid: string };
    const forge = (secret: string, opts: jwt.SignOptions) =>
      jwt.sign({ wid: claims.wid, sid: claims.sid }, secret, { subject: claims.sub, algorithm: 'HS256', ...opts });
    const apps = (token: string) => client.call('GET', '/console/api/apps', { token });
    expect((await apps(forge(K1, { keyid: 'k1', expiresIn: 60 }))).status).toBe(200);
    expect((await apps(forge(K1, { keyid: 'k1', expiresIn: -10 }))).status).toBe(401);
    expect((await apps(forge('another-secret-that-nobody-configured-00', { keyid: 'k1', expiresIn: 60 }))).status).toBe(401);
    expect((await apps(forge(K1, { expiresIn: 60 }))).status).toBe(401);
    expect((await apps(forge(K1, { keyid: 'k9', expiresIn: 60 }))).status).toBe(401);
    const [, payload] = account.access_token.split('.');
    expect((await apps(`${Buffer.from('{"alg":"none","kid":"k1"}').toString('base64url')}.${payload}.`)).status).toBe(401);
    expect((await apps('garbage')).status).toBe(401);
  });

  it('rotates signing keys without logging anyone out (key id in the header)', async () => {
    const account = await register();
    let rotated: ServiceProcess | undefined;
    let retired: ServiceProcess | undefined;
    try {
      rotated = await stack.replica('gateway', { JWT_SIGNING_KEYS: `k1:${K1},k2:${K2}`, JWT_CURRENT_KEY_ID: 'k2' });
      rotated.start();
      await rotated.waitReady();
      const viaRotated = new WeftClient(rotated.baseUrl);
      expect((await viaRotated.call('GET', '/console/api/apps', { token: account.access_token })).status).toBe(200);
      const fresh = await login(account.email, PASSWORD, viaRotated);
      expect(jwt.decode(fresh.body.access_token, { complete: true })?.header.kid).toBe('k2');
      // The refresh token is not a JWT: it survives the rotation too.
      const refreshed = await viaRotated.call<Tokens>('POST', '/console/api/refresh-token', {
        body: { refresh_token: account.refresh_token },
      });
      expect(refreshed.status).toBe(200);

      retired = await stack.replica('gateway', { JWT_SIGNING_KEYS: `k2:${K2}` });
      retired.start();
      await retired.waitReady();
      const viaRetired = new WeftClient(retired.baseUrl);
      expect((await viaRetired.call('GET', '/console/api/apps', { token: fresh.body.access_token })).status).toBe(200);
      expect((await viaRetired.call('GET', '/console/api/apps', { token: account.access_token })).status).toBe(401);
    } finally {
      await rotated?.stop();
      await retired?.stop();
    }
  });

  it('manages members by role: invite, activate, change role, remove', async () => {
    const owner = await register();
    const existing = await register();
    const invitee = uniqueEmail('invitee');
    const seenByExisting = stack.mail!.mailsTo(existing.email).length;

    const invite = await client.call<{ invitation_results: { status: string; email: string; url?: string }[] }>(
      'POST',
      '/console/api/workspaces/current/members/invite-email',
      {
        body: { emails: [existing.email, invitee], role: 'normal', language: 'en-US' },
        token: owner.access_token,
      },
    );
    expect(invite.status).toBe(201);
    // The same answer for an address with an account and one without; with mail, the links go to the addresses only.
    expect(invite.body.invitation_results).toEqual([
      { status: 'success', email: existing.email },
      { status: 'success', email: invitee },
    ]);
    // The existing account is not a member until it accepts, signed in, with the token mailed to it.
    const pendingMembers = await client.call<{ accounts: { email: string; status: string }[] }>(
      'GET',
      '/console/api/workspaces/current/members',
      { token: owner.access_token },
    );
    expect(pendingMembers.body.accounts.find((m) => m.email === existing.email)?.status).toBe('pending');
    const accepted = await client.call('POST', '/console/api/workspaces/invitations/accept', {
      body: { token: await invitationToken(existing.email, seenByExisting) },
      token: existing.access_token,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ result: 'success', workspace: { id: owner.workspace_id, role: 'normal' } });
    const token = await invitationToken(invitee, 0);
    expect((await client.call('GET', `/console/api/activate/check?token=${token}`)).body).toMatchObject({
      is_valid: true,
      data: { email: invitee },
    });

    const weak = await client.call('POST', '/console/api/activate', { body: { token, name: 'Invited', password: 'weak' } });
    expect(weak.status).toBe(400);
    const activated = await client.call<Tokens>('POST', '/console/api/activate', {
      body: { token, email: invitee, name: 'Invited', password: PASSWORD },
    });
    expect(activated.status).toBe(200);
    expect(activated.body.workspace_id).toBe(owner.workspace_id);
    expect((await client.call('POST', '/console/api/activate', { body: { token, name: 'Again', password: PASSWORD } })).status).toBe(400);
    expect((await client.call('GET', `/console/api/activate/check?token=${token}`)).body).toEqual({ is_valid: false, data: null });

    const members = await client.call<{ accounts: { id: string; email: string; role: string; status: string }[] }>(
      'GET',
      '/console/api/workspaces/current/members',
      { token: owner.access_token },
    );
    expect(members.body.accounts.map((m) => [m.email, m.role, m.status])).toEqual([
      [owner.email, 'owner', 'active'],
      [existing.email, 'normal', 'active'],
      [invitee, 'normal', 'active'],
    ]);
    const memberId = (email: string) => members.body.accounts.find((m) => m.email === email)!.id;

    // The existing account switches into the owner's workspace: a normal member may look but not change.
    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: owner.workspace_id },
      token: existing.access_token,
    });
    expect(switched.status).toBe(200);
    const normal = switched.body.access_token;
    const listed = await client.call<{ workspaces: { id: string; current: boolean; role: string }[] }>('GET', '/console/api/workspaces', {
      token: normal,
    });
    expect(listed.body.workspaces.find((w) => w.current)).toMatchObject({ id: owner.workspace_id, role: 'normal' });
    expect((await client.call('GET', '/console/api/apps', { token: normal })).status).toBe(200);
    const refused = await client.importApp(normal, workflowYaml('by normal'));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden', status: 403 });
    expect(
      (
        await client.call('POST', '/console/api/workspaces/current/members/invite-email', {
          body: { emails: [uniqueEmail('x')], role: 'normal' },
          token: normal,
        })
      ).status,
    ).toBe(403);

    // Promoted to editor, the same token may import (roles are read per request) but still not manage members.
    expect(
      (
        await client.call('PUT', `/console/api/workspaces/current/members/${memberId(existing.email)}/update-role`, {
          body: { role: 'editor' },
          token: owner.access_token,
        })
      ).status,
    ).toBe(200);
    expect((await client.importApp(normal, workflowYaml('by editor'))).status).toBe(200);
    expect(
      (
        await client.call('PUT', `/console/api/workspaces/current/members/${memberId(invitee)}/update-role`, {
          body: { role: 'editor' },
          token: normal,
        })
      ).status,
    ).toBe(403);

    // An admin manages editors and normal members, but not the owner, and cannot make admins.
    expect(
      (
        await client.call('PUT', `/console/api/workspaces/current/members/${memberId(invitee)}/update-role`, {
          body: { role: 'admin' },
          token: owner.access_token,
        })
      ).status,
    ).toBe(200);
    const admin = activated.body.access_token;
    expect(
      (
        await client.call('PUT', `/console/api/workspaces/current/members/${memberId(owner.email)}/update-role`, {
          body: { role: 'normal' },
          token: admin,
        })
      ).status,
    ).toBe(403);
    expect((await client.call('DELETE', `/console/api/workspaces/current/members/${memberId(owner.email)}`, { token: admin })).status).toBe(
      403,
    );
    expect(
      (
        await client.call('PUT', `/console/api/workspaces/current/members/${memberId(existing.email)}/update-role`, {
          body: { role: 'admin' },
          token: admin,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await client.call('PUT', `/console/api/workspaces/current/members/${memberId(existing.email)}/update-role`, {
          body: { role: 'owner' },
          token: owner.access_token,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await client.call('PUT', `/console/api/workspaces/current/members/not-a-uuid/update-role`, {
          body: { role: 'normal' },
          token: admin,
        })
      ).status,
    ).toBe(404);

    // Removed, the editor's token for this workspace stops at once; its own workspace is untouched.
    expect(
      (await client.call('DELETE', `/console/api/workspaces/current/members/${memberId(existing.email)}`, { token: admin })).status,
    ).toBe(200);
    expect((await client.call('GET', '/console/api/apps', { token: normal })).status).toBe(401);
    const again = await login(existing.email);
    expect(again.status).toBe(200);
    expect((await client.call('GET', '/console/api/apps', { token: again.body.access_token })).status).toBe(200);
    expect(
      (
        await client.call('POST', '/console/api/workspaces/switch', {
          body: { tenant_id: owner.workspace_id },
          token: again.body.access_token,
        })
      ).status,
    ).toBe(404);

    const audit = await expectRows(
      `SELECT action FROM compliance.audit_events WHERE workspace_id = $1 AND action LIKE 'workspace.member.%' ORDER BY occurred_at`,
      [owner.workspace_id],
      6,
    );
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'workspace.member.invited',
        'workspace.member.joined',
        'workspace.member.role_changed',
        'workspace.member.removed',
      ]),
    );
  });

  it('transfers ownership to a member, confirmed by the owner’s password; the old owner becomes an admin', async () => {
    const owner = await register();
    const member = await register();
    const outsider = await register();
    const [ownerId, memberId, outsiderId] = [owner.account_id!, member.account_id!, outsider.account_id!];
    await client.inviteAndAccept(owner.access_token, member.email, member.access_token, 'admin');
    const switched = await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
      body: { tenant_id: owner.workspace_id },
      token: member.access_token,
    });
    const memberToken = switched.body.access_token;
    const transfer = (to: string, body: unknown, token = owner.access_token) =>
      client.call('POST', `/console/api/workspaces/current/members/${to}/owner-transfer`, { body, token });

    // Only the owner may, with the right password, to a member of this workspace.
    expect((await transfer(ownerId, { password: PASSWORD }, memberToken)).status).toBe(403);
    const wrong = await transfer(memberId, { password: 'Wrong-Horse-9!' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'invalid_param', message: 'The current password is wrong.' });
    expect((await transfer(memberId, {})).status).toBe(400);
    expect((await transfer(memberId, { password: 42 })).status).toBe(400);
    expect((await transfer(outsiderId, { password: PASSWORD })).status).toBe(404);
    expect((await transfer('not-a-uuid', { password: PASSWORD })).status).toBe(404);
    expect((await transfer(ownerId, { password: PASSWORD })).status).toBe(400);
    const roles = async () =>
      Object.fromEntries(
        (
          await client.call<{ accounts: { id: string; role: string }[] }>('GET', '/console/api/workspaces/current/members', {
            token: memberToken,
          })
        ).body.accounts.map((m) => [m.id, m.role]),
      );
    expect(await roles()).toEqual({ [ownerId]: 'owner', [memberId]: 'admin' });

    const done = await transfer(memberId, { password: PASSWORD });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ result: 'success' });
    expect(await roles()).toEqual({ [ownerId]: 'admin', [memberId]: 'owner' });
    // Roles are read per request: the same tokens now carry the new roles, so the new owner decides
    // owner-only matters and the former owner can hand nothing back.
    expect(
      (await client.call('PUT', '/console/api/workspaces/current/retention', { body: { retention_days: 30 }, token: memberToken })).status,
    ).toBe(200);
    expect(
      (await client.call('PUT', '/console/api/workspaces/current/retention', { body: { retention_days: 31 }, token: owner.access_token }))
        .status,
    ).toBe(403);
    expect((await transfer(ownerId, { password: PASSWORD })).status).toBe(403);
    // The former owner, now an admin, may leave the workspace; the owner may not be removed.
    expect((await client.call('DELETE', `/console/api/workspaces/current/members/${memberId}`, { token: owner.access_token })).status).toBe(
      403,
    );
    expect((await client.call('DELETE', `/console/api/workspaces/current/members/${ownerId}`, { token: memberToken })).status).toBe(200);
    expect(Object.keys(await roles())).toEqual([memberId]);

    const [event] = await expectRows(
      `SELECT actor_id, resource_id, details FROM compliance.audit_events WHERE workspace_id = $1 AND action = 'workspace.owner.transferred'`,
      [owner.workspace_id],
      1,
    );
    expect(event).toMatchObject({ actor_id: ownerId, details: { from: ownerId, previous_role: 'admin' }, resource_id: memberId });
  });

  it("lets the owner set the workspace's retention period; admins may read it, and bad values are refused", async () => {
    const owner = await register();
    const adminAccount = await register();
    await client.inviteAndAccept(owner.access_token, adminAccount.email, adminAccount.access_token, 'admin');
    const admin = (
      await client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
        body: { tenant_id: owner.workspace_id },
        token: adminAccount.access_token,
      })
    ).body.access_token;

    const initial = await client.call('GET', '/console/api/workspaces/current/retention', { token: admin });
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ legal_hold: false, overridden: false, retention_days: 2557, workspace_id: owner.workspace_id });
    expect(
      (await client.call('PUT', '/console/api/workspaces/current/retention', { body: { retention_days: 30 }, token: admin })).status,
    ).toBe(403);
    for (const bad of [{ retention_days: 0 }, { retention_days: 'forever' }, { retention_days: 36_501 }, {}]) {
      expect((await client.call('PUT', '/console/api/workspaces/current/retention', { body: bad, token: owner.access_token })).status).toBe(
        400,
      );
    }
    const set = await client.call('PUT', '/console/api/workspaces/current/retention', {
      body: { retention_days: 30 },
      token: owner.access_token,
    });
    expect(set.body).toMatchObject({ overridden: true, retention_days: 30 });
    expect((await client.call('GET', '/console/api/workspaces/current/retention', { token: admin })).body).toMatchObject({
      retention_days: 30,
    });
    // Another workspace keeps the default.
    expect(
      (await client.call('GET', '/console/api/workspaces/current/retention', { token: adminAccount.access_token })).body,
    ).toMatchObject({ overridden: false, retention_days: 2557 });
    const reset = await client.call('PUT', '/console/api/workspaces/current/retention', {
      body: { retention_days: null },
      token: owner.access_token,
    });
    expect(reset.body).toMatchObject({ overridden: false, retention_days: 2557 });
  });

  it('lists app keys with last use and revokes them on every gateway replica within seconds', async () => {
    const owner = await register();
    const { appId, key } = await client.deploy(owner.access_token, workflowYaml('keys'));
    const other = await register();
    let second: ServiceProcess | undefined;
    try {
      second = await stack.replica('gateway');
      second.start();
      await second.waitReady();
      const viaSecond = new WeftClient(second.baseUrl);
      const info = (c: WeftClient) => c.call('GET', '/v1/info', { token: key });
      expect((await info(client)).status).toBe(200);
      expect((await info(viaSecond)).status).toBe(200);

      const keys = await expectEventually(
        async () => {
          const listed = await client.call<{ data: { id: string; token: string; last_used_at: number | null }[] }>(
            'GET',
            `/console/api/apps/${appId}/api-keys`,
            { token: owner.access_token },
          );
          expect(listed.body.data).toHaveLength(1);
          expect(listed.body.data[0]!.last_used_at).toEqual(expect.any(Number));
          expect(listed.body.data[0]!.token).not.toBe(key);
        },
        { timeoutMs: 15_000 },
      ).then(() => client.call<{ data: { id: string }[] }>('GET', `/console/api/apps/${appId}/api-keys`, { token: owner.access_token }));
      const keyId = keys.body.data[0]!.id;

      expect((await client.call('DELETE', `/console/api/apps/${appId}/api-keys/${keyId}`, { token: other.access_token })).status).toBe(404);
      expect((await client.call('DELETE', `/console/api/apps/${appId}/api-keys/${keyId}`, { token: owner.access_token })).status).toBe(204);
      expect((await info(client)).status).toBe(401);
      await expectEventually(async () => expect((await info(viaSecond)).status).toBe(401), { timeoutMs: 3000, intervalMs: 100 });
      expect((await client.call('DELETE', `/console/api/apps/${appId}/api-keys/${keyId}`, { token: owner.access_token })).status).toBe(404);

      const dataset = await client.call<{ id: string; token: string }>('POST', '/console/api/datasets/api-keys', {
        token: owner.access_token,
      });
      expect(dataset.status).toBe(201);
      const datasets = (c: WeftClient) => c.call('GET', '/v1/datasets', { token: dataset.body.token });
      expect((await datasets(viaSecond)).status).not.toBe(401);
      expect((await client.call('DELETE', `/console/api/datasets/api-keys/${dataset.body.id}`, { token: owner.access_token })).status).toBe(
        204,
      );
      await expectEventually(async () => expect((await datasets(viaSecond)).status).toBe(401), { timeoutMs: 3000, intervalMs: 100 });
    } finally {
      await second?.stop();
    }
  });

  it('deletes an app with its keys, workflows and runs, for editors only, and audits it', async () => {
    const owner = await register();
    const { appId, key } = await client.deploy(owner.access_token, workflowYaml('to delete'));
    const run = await client.run(key, {});
    expect(run.status).toBe(200);
    const count = async (sql: string) => Number((await queryDatabase<{ n: number }>(stack.database.url, sql, [appId]))[0]!.n);
    expect(await count(`SELECT count(*)::int AS n FROM orchestrator.workflow_runs WHERE app_id = $1`)).toBe(1);
    const other = await register();
    expect((await client.call('DELETE', `/console/api/apps/${appId}`, { token: other.access_token })).status).toBe(404);

    expect((await client.call('DELETE', `/console/api/apps/${appId}`, { token: owner.access_token })).status).toBe(204);
    expect((await client.call('GET', `/console/api/apps/${appId}`, { token: owner.access_token })).status).toBe(404);
    expect((await client.call('GET', '/v1/info', { token: key })).status).toBe(401);
    expect((await client.call('DELETE', `/console/api/apps/${appId}`, { token: owner.access_token })).status).toBe(404);
    for (const table of [
      'orchestrator.workflow_runs',
      'orchestrator.workflow_node_executions',
      'orchestrator.workflows',
      'gateway.api_keys',
      'gateway.end_users',
    ]) {
      expect([table, await count(`SELECT count(*)::int AS n FROM ${table} WHERE app_id = $1`)]).toEqual([table, 0]);
    }
    const [event] = await expectRows(
      `SELECT actor_id, details FROM compliance.audit_events WHERE action = 'app.deleted' AND resource_id = $1`,
      [appId],
      1,
    );
    expect(event!['actor_id']).toBe(owner.account_id);
    expect(event!['details']).toMatchObject({ app_mode: 'workflow', deleted: { keys: 1, workflow_runs: 1, workflows: 2 } });
  });

  it('keeps tokens and end-user ids of query strings out of the request log', async () => {
    const token = `invite-token-${randomUUID()}`;
    const endUser = `person-${randomUUID()}@example.com`;
    expect((await client.call('GET', `/console/api/activate/check?token=${token}`)).status).toBe(200);
    expect(
      (await client.call('GET', `/v1/conversations?user=${encodeURIComponent(endUser)}&limit=5`, { token: 'app-not-a-key' })).status,
    ).toBe(401);
    await expectEventually(() => {
      const logs = stack.gateway.logs();
      expect(logs).toContain('/console/api/activate/check?token=%5Bredacted%5D');
      expect(logs).toContain('/v1/conversations?user=%5Bredacted%5D&limit=5');
    });
    const logs = stack.gateway.logs();
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(endUser);
    expect(logs).not.toContain(encodeURIComponent(endUser));
  });

  it('gives a burst of parallel password guesses no more tries than the lockout allows', async () => {
    const account = await register();
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(account.email, 'Wrong-Horse-9!')));
    const statuses = answers.map((r) => r.status).sort();
    // Three failures lock the email: the other nine are refused before any password is checked.
    expect(statuses).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
    expect((await login(account.email)).status).toBe(429);
  });

  it('slows down and then locks repeated failed logins, without telling whether the account exists', async () => {
    const account = await register();
    const unknown = uniqueEmail('ghost');
    const failures = async (email: string) => {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await login(email, 'Wrong-Horse-9!'));
      return answers;
    };
    const known = await failures(account.email);
    const ghost = await failures(unknown);
    expect(known.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(ghost.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(known[3]!.body).toEqual(ghost[3]!.body);
    expect(known[3]!.body).toMatchObject({ code: 'too_many_requests', status: 429 });
    expect(Number(known[3]!.headers.get('retry-after'))).toBeGreaterThan(0);

    // Locked, even the right password is refused; another account is not affected.
    expect((await login(account.email)).status).toBe(429);
    const bystander = await register();
    expect((await login(bystander.email)).status).toBe(200);

    // From one address, failures across many emails lock that address too (4 x 3 = 12 failures).
    await expectEventually(
      async () => {
        const res = await login(uniqueEmail('spray'), 'Wrong-Horse-9!');
        expect(res.status).toBe(429);
      },
      { timeoutMs: 60_000, intervalMs: 0 },
    );
    expect((await login(bystander.email)).status).toBe(429);

    const failed = await expectRows(
      `SELECT count(*)::int AS n FROM compliance.audit_events WHERE action = 'account.login' AND outcome = 'failure'`,
      [],
      1,
    );
    expect(failed[0]!['n']).toBeGreaterThanOrEqual(6);
  });

  async function expectRows(sql: string, params: unknown[], atLeast: number): Promise<Record<string, unknown>[]> {
    let rows: Record<string, unknown>[] = [];
    await expectEventually(
      async () => {
        rows = await queryDatabase(stack.database.url, sql, params);
        expect(rows.length).toBeGreaterThanOrEqual(atLeast);
      },
      { timeoutMs: 15_000 },
    );
    return rows;
  }
});
