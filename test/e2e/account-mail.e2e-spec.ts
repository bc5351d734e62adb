import {
  expectEventually,
  mailedCode,
  mailedInvitationToken,
  queryDatabase,
  TEST_PASSWORD,
  TestStack,
  uniqueTestEmail,
  WeftClient,
  type ReceivedMail,
  type SignedUp,
} from '@weft/testing';

/**
 * Accounts and mail (issue 18), through the public API with a real SMTP server in the test: a sign-up
 * proves its address with a mailed code, an invitation never makes an account a member without its own
 * acceptance, a forgotten password is reset through a mailed code and ends every session, and none of these
 * answers tells whether an address has an account. Without mail settings the first account still gets in,
 * and nobody else signs themselves up.
 */

const SMTP_USER = 'weft-mailer';
const SMTP_PASSWORD = 'smtp-password-for-the-account-mail-e2e';
const CONSOLE_WEB_URL = 'https://console.weft.test';
const OTHER_PASSWORD = 'Another-Horse-7#';

type Answer = { status: number; body: Record<string, unknown> };

describe('accounts and mail, with an SMTP server', () => {
  let stack: TestStack;
  let client: WeftClient;
  let operator: SignedUp;

  /** The mails to `email` so far: note it before the request that sends one, then wait for `nextMail(email, seen)`. */
  const seen = (email: string) => stack.mail!.mailsTo(email).length;
  const nextMail = (email: string, count: number): Promise<ReceivedMail> => stack.mail!.nextMail(email, count);
  const post = (path: string, body: unknown, token?: string) => client.call('POST', path, { body, token }) as Promise<Answer>;
  const login = (email: string, password: string) =>
    client.call<{ access_token: string; refresh_token: string }>('POST', '/console/api/login', { body: { email, password } });

  beforeAll(async () => {
    stack = await TestStack.create({
      env: { CONSOLE_WEB_URL },
      // The server refuses mail until the gateway logs in with SMTP_USERNAME and SMTP_PASSWORD.
      mail: { username: SMTP_USER, password: SMTP_PASSWORD },
    });
    await stack.start(['gateway', 'orchestrator', 'compliance']);
    client = new WeftClient(stack.gateway.baseUrl);
    // The instance's first account (the operator) signs itself up at once, mail or not.
    const email = uniqueTestEmail('operator');
    const first = await client.call<SignedUp>('POST', '/console/api/register', {
      body: { email, name: 'Operator', password: TEST_PASSWORD },
    });
    expect(first.status).toBe(201);
    operator = { ...first.body, email };
    expect(stack.mail!.received).toEqual([]);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('creates an account only once the code mailed to its address comes back', async () => {
    const email = uniqueTestEmail('newcomer');
    const started = await post('/console/api/register', { email, name: 'Newcomer', password: TEST_PASSWORD });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ result: 'success', data: expect.stringMatching(/^[\w-]{43}$/) });
    const token = started.body['data'] as string;

    // Nothing exists yet: the address has not been proven.
    expect((await login(email, TEST_PASSWORD)).status).toBe(401);
    expect(await queryDatabase(stack.database.url, 'SELECT id FROM gateway.accounts WHERE email = $1', [email])).toEqual([]);

    const mail = await nextMail(email, 0);
    expect(mail.subject).toBe('Your Weft sign-up code');
    expect(mail.envelopeFrom).toBe('weft@mail.test');
    const code = mailedCode(mail);
    expect(JSON.stringify(started.body)).not.toContain(code);

    const wrong = await post('/console/api/email-register/validity', { email, code: code === '000000' ? '111111' : '000000', token });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'email_code_error', status: 400 } });
    const otherAddress = await post('/console/api/email-register/validity', { email: uniqueTestEmail('other'), code, token });
    expect(otherAddress).toMatchObject({ status: 400, body: { code: 'email_code_error' } });
    const checked = await post('/console/api/email-register/validity', { email, code, token });
    expect(checked.status).toBe(200);
    expect(checked.body).toEqual({ email, is_valid: true, token: expect.any(String) });
    expect(checked.body['token']).not.toBe(token);
    // The first token is spent by its confirmation; a code works once.
    expect(await post('/console/api/email-register/validity', { email, code, token })).toMatchObject({
      status: 400,
      body: { code: 'invalid_or_expired_token' },
    });

    const done = await post('/console/api/email-register', { token: checked.body['token'] });
    expect(done.status).toBe(200);
    const account = done.body['data'] as SignedUp;
    expect(account).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const profile = await client.call('GET', '/console/api/account/profile', { token: account.access_token });
    expect(profile.body).toMatchObject({ email, name: 'Newcomer', role: 'owner', current_workspace_id: account.workspace_id });
    expect((await login(email, TEST_PASSWORD)).status).toBe(200);
    expect(await post('/console/api/email-register', { token: checked.body['token'] })).toMatchObject({
      status: 400,
      body: { code: 'invalid_or_expired_token' },
    });

    // The tokens never reach the gateway's log (a 6-digit code could match any timestamp, so it is not searched for).
    const logs = stack.gateway.logs();
    for (const secret of [token, checked.body['token'] as string]) expect(logs).not.toContain(secret);
    const [registered] = await expectRows(
      `SELECT details FROM compliance.audit_events WHERE action = 'account.registered' AND actor_id = $1`,
      [account.account_id],
    );
    expect(registered!['details']).toEqual({ verified_by: 'email_code' });
  });

  it("follows Dify's email-register steps: the password comes with the confirmed token", async () => {
    const email = uniqueTestEmail('dify-style');
    const sent = await post('/console/api/email-register/send-email', { email, language: 'en-US' });
    expect(sent).toMatchObject({ status: 200, body: { result: 'success', data: expect.any(String) } });
    const code = mailedCode(await nextMail(email, 0));
    const checked = await post('/console/api/email-register/validity', { email, code, token: sent.body['data'] });
    const token = checked.body['token'] as string;

    // No password was given yet: one is required, confirmed, and held to the policy; none of that spends the token.
    expect(await post('/console/api/email-register', { token })).toMatchObject({ status: 400, body: { code: 'invalid_param' } });
    expect(
      await post('/console/api/email-register', { token, new_password: TEST_PASSWORD, password_confirm: OTHER_PASSWORD }),
    ).toMatchObject({ status: 400, body: { code: 'password_mismatch' } });
    expect(await post('/console/api/email-register', { token, new_password: 'short', password_confirm: 'short' })).toMatchObject({
      status: 400,
      body: { code: 'invalid_param' },
    });
    const done = await post('/console/api/email-register', { token, new_password: OTHER_PASSWORD, password_confirm: OTHER_PASSWORD });
    expect(done.status).toBe(200);
    expect((await login(email, OTHER_PASSWORD)).status).toBe(200);
    const profile = await client.call('GET', '/console/api/account/profile', {
      token: (done.body['data'] as SignedUp).access_token,
    });
    expect(profile.body['name']).toBe(email.split('@')[0]);
  });

  it('lets a code be guessed five times at most, and an address be sent five codes an hour', async () => {
    const email = uniqueTestEmail('guessed');
    const started = await post('/console/api/register', { email, name: 'Guessed', password: TEST_PASSWORD });
    const code = mailedCode(await nextMail(email, 0));
    const wrongCode = code === '999999' ? '888888' : '999999';
    for (let i = 0; i < 5; i++) {
      const res = await post('/console/api/email-register/validity', { email, code: wrongCode, token: started.body['data'] });
      expect(res.body['code']).toBe('email_code_error');
    }
    // The right code comes too late: the token has been guessed at too often.
    const late = await post('/console/api/email-register/validity', { email, code, token: started.body['data'] });
    expect(late).toMatchObject({ status: 429, body: { code: 'email_register_limit', status: 429 } });

    // Four more codes for this address this hour (five in all), then no more; an older code stops working.
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post('/console/api/email-register/send-email', { email });
      expect(res.status).toBe(200);
      tokens.push(res.body['data'] as string);
    }
    const refused = await post('/console/api/email-register/send-email', { email });
    expect(refused).toMatchObject({ status: 429, body: { code: 'email_register_rate_limit_exceeded' } });
    expect(String(refused.body['message'])).toMatch(/Please try again in \d+ minutes/);
    const latest = mailedCode(await nextMail(email, 4));
    const older = await post('/console/api/email-register/validity', { email, code: latest, token: tokens[2] });
    expect(older.body['code']).toBe('invalid_or_expired_token');
    expect((await post('/console/api/email-register/validity', { email, code: latest, token: tokens[3] })).status).toBe(200);
  });

  it('defeats the invite hijack: an unproven sign-up cannot sign in, and an invitation waits for its own account', async () => {
    const admin = await client.signUp(uniqueTestEmail('corp-admin'), { name: 'Corp Admin' });
    const victim = `victim-${Date.now()}@corp.test`;
    const attackerPassword = 'Attacker-Horse-1!';

    // The attacker signs up with the victim's address: the code goes to the victim's inbox, not to the attacker.
    const mailsBefore = seen(victim);
    const squat = await post('/console/api/register', { email: victim, name: 'Not the victim', password: attackerPassword });
    expect(squat.status).toBe(202);
    const squatCode = mailedCode(await nextMail(victim, mailsBefore));
    expect((await login(victim, attackerPassword)).status).toBe(401);

    // The admin invites the address: the answer carries no link (it is mailed to the address), and nobody has joined.
    const invite = await post(
      '/console/api/workspaces/current/members/invite-email',
      { emails: [victim], role: 'admin' },
      admin.access_token,
    );
    expect(invite.body).toEqual({ result: 'success', invitation_results: [{ status: 'success', email: victim }] });
    const invitation = await nextMail(victim, mailsBefore + 1);
    expect(invitation.subject).toBe(`You are invited to join "Corp Admin's Workspace" on Weft`);
    expect(invitation.text).toContain(`${CONSOLE_WEB_URL}/activate?email=${encodeURIComponent(victim)}&token=`);
    const members = async () =>
      (
        await client.call<{ accounts: { email: string; role: string; status: string }[] }>(
          'GET',
          '/console/api/workspaces/current/members',
          {
            token: admin.access_token,
          },
        )
      ).body.accounts.map((m) => [m.email, m.role, m.status]);
    expect(await members()).toEqual([
      [admin.email, 'owner', 'active'],
      [victim, 'admin', 'pending'],
    ]);
    expect((await login(victim, attackerPassword)).status).toBe(401);

    // The real owner of the address, who alone has the link, joins with a password of their own.
    const activated = await post('/console/api/activate', {
      token: mailedInvitationToken(invitation),
      email: victim,
      name: 'Victim',
      password: OTHER_PASSWORD,
    });
    expect(activated.status).toBe(200);
    expect(activated.body['workspace_id']).toBe(admin.workspace_id);
    expect((await login(victim, attackerPassword)).status).toBe(401);
    expect((await login(victim, OTHER_PASSWORD)).status).toBe(200);
    expect(await members()).toEqual([
      [admin.email, 'owner', 'active'],
      [victim, 'admin', 'active'],
    ]);
    // Even with the code only the victim was sent, the pending sign-up cannot take the address over now.
    const confirmed = await post('/console/api/email-register/validity', { email: victim, code: squatCode, token: squat.body['data'] });
    expect(confirmed.status).toBe(200);
    expect(await post('/console/api/email-register', { token: confirmed.body['token'] })).toMatchObject({
      status: 400,
      body: { code: 'email_already_in_use' },
    });
    expect((await login(victim, attackerPassword)).status).toBe(401);
    expect((await login(victim, OTHER_PASSWORD)).status).toBe(200);
  });

  it('makes an existing account a member only when it accepts the invitation itself', async () => {
    const admin = await client.signUp(uniqueTestEmail('team-admin'), { name: 'Team Admin' });
    const existing = await client.signUp(uniqueTestEmail('existing'), { name: 'Existing' });
    const stranger = await client.signUp(uniqueTestEmail('stranger'), { name: 'Stranger' });
    const before = seen(existing.email);
    const invite = await post(
      '/console/api/workspaces/current/members/invite-email',
      { emails: [existing.email], role: 'editor' },
      admin.access_token,
    );
    expect(invite.body).toEqual({ result: 'success', invitation_results: [{ status: 'success', email: existing.email }] });
    const token = mailedInvitationToken(await nextMail(existing.email, before));

    // Invited is not joined: no role, no way into the workspace.
    const switchIn = (accessToken: string) =>
      client.call<{ access_token: string }>('POST', '/console/api/workspaces/switch', {
        body: { tenant_id: admin.workspace_id },
        token: accessToken,
      });
    expect((await switchIn(existing.access_token)).status).toBe(404);
    expect(
      await queryDatabase(stack.database.url, 'SELECT role FROM gateway.workspace_members WHERE workspace_id = $1 AND account_id = $2', [
        admin.workspace_id,
        existing.account_id,
      ]),
    ).toEqual([]);

    // Another account holding the token cannot accept it; accepting needs a session.
    expect(await post('/console/api/workspaces/invitations/accept', { token }, stranger.access_token)).toMatchObject({
      status: 403,
      body: { code: 'invitation_account_mismatch' },
    });
    expect((await post('/console/api/workspaces/invitations/accept', { token })).status).toBe(401);
    expect((await switchIn(stranger.access_token)).status).toBe(404);
    // Nor can the token create a second account for the address.
    expect((await post('/console/api/activate', { token, name: 'Second', password: OTHER_PASSWORD })).body['code']).toBe('conflict');

    const accepted = await post('/console/api/workspaces/invitations/accept', { token }, existing.access_token);
    expect(accepted).toMatchObject({
      status: 200,
      body: { result: 'success', workspace: { id: admin.workspace_id, name: "Team Admin's Workspace", role: 'editor' } },
    });
    const switched = await switchIn(existing.access_token);
    expect(switched.status).toBe(200);
    const current = await client.call('GET', '/console/api/workspaces/current', { token: switched.body.access_token });
    expect(current.body).toMatchObject({ id: admin.workspace_id, role: 'editor' });
    expect((await post('/console/api/workspaces/invitations/accept', { token }, existing.access_token)).status).toBe(400);
    const [joined] = await expectRows(
      `SELECT actor_id, details FROM compliance.audit_events WHERE action = 'workspace.member.joined' AND workspace_id = $1`,
      [admin.workspace_id],
    );
    expect(joined).toMatchObject({ actor_id: existing.account_id, details: { existing_account: true, role: 'editor' } });
  });

  it('resets a forgotten password through a mailed code, and ends every session of the account', async () => {
    const account = await client.signUp(uniqueTestEmail('forgetful'), { name: 'Forgetful' });
    const second = await login(account.email, TEST_PASSWORD);
    expect(second.status).toBe(200);
    const before = seen(account.email);

    const sent = await post('/console/api/forgot-password', { email: account.email, language: 'en-US' });
    expect(sent).toMatchObject({ status: 200, body: { result: 'success', data: expect.any(String) } });
    const mail = await nextMail(account.email, before);
    expect(mail.subject).toBe('Your Weft password reset code');
    const code = mailedCode(mail);
    expect(
      await post('/console/api/forgot-password/validity', {
        email: account.email,
        code: code === '123456' ? '654321' : '123456',
        token: sent.body['data'],
      }),
    ).toMatchObject({ status: 400, body: { code: 'email_code_error' } });
    // The first step's token does not set a password: only a confirmed code's does.
    expect(
      await post('/console/api/forgot-password/resets', {
        token: sent.body['data'],
        new_password: OTHER_PASSWORD,
        password_confirm: OTHER_PASSWORD,
      }),
    ).toMatchObject({ status: 400, body: { code: 'invalid_or_expired_token' } });
    const checked = await post('/console/api/forgot-password/validity', { email: account.email, code, token: sent.body['data'] });
    expect(checked).toMatchObject({ status: 200, body: { email: account.email, is_valid: true } });
    const token = checked.body['token'] as string;

    expect(
      await post('/console/api/forgot-password/resets', { token, new_password: OTHER_PASSWORD, password_confirm: TEST_PASSWORD }),
    ).toMatchObject({
      status: 400,
      body: { code: 'password_mismatch' },
    });
    expect(await post('/console/api/forgot-password/resets', { token, new_password: 'weak', password_confirm: 'weak' })).toMatchObject({
      status: 400,
      body: { code: 'invalid_param' },
    });
    const reset = await post('/console/api/forgot-password/resets', {
      token,
      new_password: OTHER_PASSWORD,
      password_confirm: OTHER_PASSWORD,
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ result: 'success' });

    // Every session of the account ended: access tokens and refresh tokens of both logins.
    for (const accessToken of [account.access_token, second.body.access_token])
      expect((await client.call('GET', '/console/api/apps', { token: accessToken })).status).toBe(401);
    for (const refreshToken of [account.refresh_token, second.body.refresh_token])
      expect((await post('/console/api/refresh-token', { refresh_token: refreshToken })).status).toBe(401);
    expect((await login(account.email, TEST_PASSWORD)).status).toBe(401);
    expect((await login(account.email, OTHER_PASSWORD)).status).toBe(200);
    expect(
      await post('/console/api/forgot-password/resets', { token, new_password: TEST_PASSWORD, password_confirm: TEST_PASSWORD }),
    ).toMatchObject({
      status: 400,
      body: { code: 'invalid_or_expired_token' },
    });
    const sessions = await queryDatabase<{ revoked_reason: string | null }>(
      stack.database.url,
      'SELECT revoked_reason FROM gateway.auth_sessions WHERE account_id = $1 ORDER BY created_at',
      [account.account_id],
    );
    expect(sessions.slice(0, 2).map((s) => s.revoked_reason)).toEqual(['password_reset', 'password_reset']);
    const [event] = await expectRows(
      `SELECT details FROM compliance.audit_events WHERE action = 'account.password.reset' AND actor_id = $1`,
      [account.account_id],
    );
    expect(event!['details']).toEqual({ sessions_revoked: 2 });
  });

  it('answers register, sign-up codes, password reset and invitations the same for an address with or without an account', async () => {
    const taken = await client.signUp(uniqueTestEmail('taken'), { name: 'Taken' });
    const free = uniqueTestEmail('free');
    const shape = (answer: Answer) => ({
      status: answer.status,
      body: Object.fromEntries(Object.entries(answer.body).map(([k, v]) => [k, typeof v === 'string' && k === 'data' ? v.length : v])),
    });
    const pair = async (send: (email: string) => Promise<Answer>) => [shape(await send(taken.email)), shape(await send(free))];

    const [registerTaken, registerFree] = await pair((email) =>
      post('/console/api/register', { email, name: 'Someone', password: TEST_PASSWORD }),
    );
    expect(registerTaken).toEqual(registerFree);
    expect(registerTaken).toEqual({ status: 202, body: { result: 'success', data: 43 } });

    const [sendTaken, sendFree] = await pair((email) => post('/console/api/email-register/send-email', { email }));
    expect(sendTaken).toEqual(sendFree);
    expect(sendTaken.status).toBe(200);

    const [forgotTaken, forgotFree] = await pair((email) => post('/console/api/forgot-password', { email }));
    expect(forgotTaken).toEqual(forgotFree);
    expect(forgotTaken).toEqual({ status: 200, body: { result: 'success', data: 43 } });

    // A wrong code is refused the same way for both.
    const wrongCode = async (email: string) => {
      const sent = await post('/console/api/forgot-password', { email });
      return post('/console/api/forgot-password/validity', { email, code: '000000', token: sent.body['data'] });
    };
    const [wrongTaken, wrongFree] = await pair(wrongCode);
    expect(wrongTaken).toEqual(wrongFree);
    expect(wrongTaken.status).toBe(400);

    const invite = await post(
      '/console/api/workspaces/current/members/invite-email',
      { emails: [taken.email, free], role: 'normal' },
      operator.access_token,
    );
    expect(invite.body['invitation_results']).toEqual([
      { status: 'success', email: taken.email },
      { status: 'success', email: free },
    ]);

    // Only the inbox tells: the account's owner hears that someone tried; the unknown address gets no reset code.
    await expectEventually(() => {
      expect(stack.mail!.mailsTo(taken.email).map((m) => m.subject)).toEqual(
        expect.arrayContaining(['Sign-up attempt for your Weft account', 'Your Weft password reset code']),
      );
      expect(stack.mail!.mailsTo(free).map((m) => m.subject)).toEqual(
        expect.arrayContaining(['Your Weft sign-up code', `You are invited to join "Operator's Workspace" on Weft`]),
      );
    });
    expect(stack.mail!.mailsTo(free).map((m) => m.subject)).not.toContain('Your Weft password reset code');
    expect(stack.mail!.mailsTo(taken.email).filter((m) => m.subject === 'Your Weft sign-up code')).toHaveLength(1);
  });

  async function expectRows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    let rows: Record<string, unknown>[] = [];
    await expectEventually(
      async () => {
        rows = await queryDatabase(stack.database.url, sql, params);
        expect(rows.length).toBeGreaterThan(0);
      },
      { timeoutMs: 15_000 },
    );
    return rows;
  }
});

describe('accounts without mail settings', () => {
  let stack: TestStack;
  let client: WeftClient;

  beforeAll(async () => {
    stack = await TestStack.create({ mail: false });
    await stack.start(['gateway']);
    client = new WeftClient(stack.gateway.baseUrl);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('lets the first account in, refuses every later self-sign-up, and onboards others by invitation', async () => {
    const operatorEmail = uniqueTestEmail('solo-operator');
    const first = await client.call<SignedUp>('POST', '/console/api/register', {
      body: { email: operatorEmail, name: 'Solo', password: TEST_PASSWORD },
    });
    expect(first.status).toBe(201);
    expect((await client.call('GET', '/console/api/account/profile', { token: first.body.access_token })).body).toMatchObject({
      email: operatorEmail,
      role: 'owner',
    });

    // Everyone else is refused, with the reason and the way in, whether or not the address has an account.
    for (const email of [uniqueTestEmail('second'), operatorEmail]) {
      const second = await client.call('POST', '/console/api/register', { body: { email, name: 'Second', password: TEST_PASSWORD } });
      expect(second.status).toBe(403);
      expect(second.body).toMatchObject({ code: 'forbidden', status: 403 });
      expect(String(second.body['message'])).toContain('only its first account may sign itself up');
      expect(String(second.body['message'])).toContain('invite');
    }
    expect((await client.call('POST', '/console/api/email-register/send-email', { body: { email: uniqueTestEmail('x') } })).status).toBe(
      403,
    );
    const forgot = await client.call('POST', '/console/api/forgot-password', { body: { email: operatorEmail } });
    expect(forgot).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await queryDatabase(stack.database.url, 'SELECT count(*)::int AS n FROM gateway.accounts')).toEqual([{ n: 1 }]);

    // Without mail the inviter gets the link to pass on; the invited person joins through it.
    const invitee = uniqueTestEmail('invitee');
    const token = await client.invite(first.body.access_token, invitee, 'editor');
    const activated = await client.call<SignedUp>('POST', '/console/api/activate', {
      body: { token, email: invitee, name: 'Invitee', password: TEST_PASSWORD },
    });
    expect(activated.status).toBe(200);
    expect(activated.body.workspace_id).toBe(first.body.workspace_id);
    expect((await client.call('POST', '/console/api/login', { body: { email: invitee, password: TEST_PASSWORD } })).status).toBe(200);
  });
});
