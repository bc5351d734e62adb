import type { AuditService } from '@weft/audit';
import { gatewayConfigSpec, loadConfig } from '@weft/config';
import type { DomainError } from '@weft/contracts';
import type { MailContent } from '../mail/mail.types';
import type { MailService } from '../mail/mail.service';
import type { AccountRepository, AccountWithWorkspace } from './account.repository';
import type { AccountService } from './account.service';
import type { AuthSessionRepository } from './auth-session.repository';
import { consoleAuthSettings } from './console-auth.settings';
import type { LoginThrottleService } from './login-throttle.service';
import { verifyPassword } from './password.util';
import { PasswordResetService } from './password-reset.service';
import { RegistrationService } from './registration.service';
import type { CodeAttempt, NewVerificationCode, VerificationCodeRepository, VerificationCodeRow } from './verification-code.repository';
import { VerificationCodeService } from './verification-code.service';

// The mailed-code flows (sign-up and password reset) over in-memory stand-ins for the database, the mail
// server and the audit trail; the SQL itself is exercised by test/e2e/account-mail.e2e-spec.ts.

const PASSWORD = 'Correct-Horse-9!';
const client = { ip: '192.0.2.1', userAgent: 'unit' };

/** The repository's rules (one live code per address, attempts counted first, tokens spent once) over an array. */
class InMemoryCodes {
  readonly rows: (NewVerificationCode & {
    phase: 'code' | 'verified';
    attempts: number;
    expiresAt: number;
    usedAt: number | null;
    createdAt: number;
  })[] = [];

  async insert(code: NewVerificationCode, maxPerHour: number) {
    const recent = this.rows.filter((r) => r.email === code.email && r.purpose === code.purpose && r.createdAt > Date.now() - 3600_000);
    if (recent.length >= maxPerHour) return { stored: false as const, retryAfterSeconds: 3600 };
    for (const r of recent) r.usedAt ??= Date.now();
    this.rows.push({ ...code, phase: 'code', attempts: 0, expiresAt: Date.now() + code.ttlMs, usedAt: null, createdAt: Date.now() });
    return { stored: true as const };
  }

  async countAttempt(purpose: string, tokenHash: string, maxAttempts: number, maxFailedPerDay: number): Promise<CodeAttempt> {
    const row = this.live(purpose, tokenHash, 'code');
    if (!row) return { kind: 'invalid' };
    if (row.attempts >= maxAttempts) return { kind: 'exhausted' };
    const failedToday = this.rows
      .filter((r) => r.email === row.email && r.purpose === row.purpose)
      .reduce((n, r) => n + r.attempts - (r.phase === 'verified' ? 1 : 0), 0);
    if (failedToday >= maxFailedPerDay) return { kind: 'locked' };
    row.attempts += 1;
    return { kind: 'counted', row: this.toRow(row) };
  }

  async confirm(id: string, newTokenHash: string, ttlMs: number): Promise<boolean> {
    const row = this.rows.find((r) => r.id === id && r.phase === 'code' && r.usedAt === null);
    if (!row) return false;
    Object.assign(row, { phase: 'verified', tokenHash: newTokenHash, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async findConfirmed(purpose: string, tokenHash: string): Promise<VerificationCodeRow | null> {
    const row = this.live(purpose, tokenHash, 'verified');
    return row ? this.toRow(row) : null;
  }

  async spend(id: string): Promise<boolean> {
    const row = this.rows.find((r) => r.id === id && r.phase === 'verified' && r.usedAt === null);
    if (!row) return false;
    row.usedAt = Date.now();
    return true;
  }

  private live(purpose: string, tokenHash: string, phase: string) {
    return this.rows.find(
      (r) => r.tokenHash === tokenHash && r.purpose === purpose && r.phase === phase && r.usedAt === null && r.expiresAt > Date.now(),
    );
  }

  private toRow(r: InMemoryCodes['rows'][number]): VerificationCodeRow {
    return { ...r, attempts: r.attempts };
  }
}

/** Accounts by email, with the first-account rule. */
class InMemoryAccounts {
  readonly byEmail = new Map<string, AccountWithWorkspace>();

  async createFirst(email: string, name: string, passwordHash: string) {
    return this.byEmail.size > 0 ? null : this.create(email, name, passwordHash);
  }

  async create(email: string, name: string, passwordHash: string) {
    if (this.byEmail.has(email)) return null;
    const n = this.byEmail.size + 1;
    const account = {
      accountId: `00000000-0000-4000-8000-00000000000${n}`,
      email,
      name,
      passwordHash,
      role: 'owner',
      status: 'active',
      workspaceId: `00000000-0000-4000-9000-00000000000${n}`,
    };
    this.byEmail.set(email, account);
    return account;
  }

  async findAccountByEmail(email: string) {
    const a = this.byEmail.get(email);
    return a ? { id: a.accountId, status: a.status } : null;
  }

  async findById(id: string) {
    return [...this.byEmail.values()].find((a) => a.accountId === id) ?? null;
  }

  async setPasswordHash(id: string, hash: string) {
    (await this.findById(id))!.passwordHash = hash;
  }
}

function setUp(mailOn = true) {
  const settings = consoleAuthSettings(loadConfig('gateway', gatewayConfigSpec, {}));
  const codes = new InMemoryCodes();
  const accounts = new InMemoryAccounts();
  const sent: { kind: string; to: string; content: MailContent }[] = [];
  const mail = {
    enabled: mailOn,
    consoleWebUrl: undefined,
    deliver: (kind: string, to: string, content: MailContent) => sent.push({ kind, to, content }),
  } as unknown as MailService;
  const audit = { record: jest.fn() } as unknown as AuditService;
  const service = new VerificationCodeService(codes as unknown as VerificationCodeRepository, audit, settings);
  const accountService = {
    startSession: async (accountId: string) => ({
      access_token: `access-${accountId}`,
      expires_in: 900,
      refresh_token: 'refresh',
      token_type: 'Bearer' as const,
    }),
  } as unknown as AccountService;
  const sessions = { revokeAllOf: jest.fn(async () => 2) };
  const throttle = { clearEmail: jest.fn(async () => undefined) };
  const repo = accounts as unknown as AccountRepository;
  return {
    accounts,
    audit,
    codes,
    registration: new RegistrationService(repo, accountService, service, mail, audit, settings),
    reset: new PasswordResetService(
      repo,
      sessions as unknown as AuthSessionRepository,
      throttle as unknown as LoginThrottleService,
      service,
      mail,
      audit,
      settings,
    ),
    sent,
    sessions,
    throttle,
    /** The code in the last mail to `to`. */
    codeFor: (to: string) => /^\s+(\d{6})\s*$/m.exec([...sent].reverse().find((m) => m.to === to)!.content.text)![1]!,
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as DomainError).code, message: (error as DomainError).message };
  }
  throw new Error('expected a refusal');
}

describe('sign-up through a mailed code', () => {
  it('creates the first account at once; without mail it refuses every later one, whether or not the address is taken', async () => {
    const t = setUp(false);
    const first = await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    expect(first).toMatchObject({ kind: 'created', body: { access_token: expect.any(String), workspace_id: expect.any(String) } });
    for (const email of ['new@example.com', 'op@example.com']) {
      const refused = await refusal(t.registration.register({ email, name: 'X', password: PASSWORD }, client));
      expect(refused.code).toBe('forbidden');
      expect(refused.message).toContain('only its first account may sign itself up');
    }
    expect((await refusal(t.registration.sendEmail({ email: 'new@example.com' }, client))).code).toBe('forbidden');
    expect(t.accounts.byEmail.size).toBe(1);
  });

  it('answers a taken address as it answers a new one, after the same password hashing, and tells only the inbox', async () => {
    const t = setUp();
    await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    const taken = await t.registration.register({ email: 'op@example.com', name: 'Op2', password: PASSWORD }, client);
    const fresh = await t.registration.register({ email: 'new@example.com', name: 'New', password: PASSWORD }, client);
    // Both passwords were hashed (argon2id) and kept with their codes, the taken address's too.
    expect(t.codes.rows.map((r) => [r.email, r.passwordHash?.startsWith('$argon2id$')])).toEqual([
      ['op@example.com', true],
      ['new@example.com', true],
    ]);
    expect(taken.kind).toBe('code_sent');
    expect(fresh.kind).toBe('code_sent');
    const shape = (o: typeof taken) => ({ ...o, body: { ...o.body, data: (o.body as { data: string }).data.length } });
    expect(shape(taken)).toEqual(shape(fresh));
    expect(t.sent.map((m) => [m.kind, m.to])).toEqual([
      ['sign-up attempt', 'op@example.com'],
      ['sign-up code', 'new@example.com'],
    ]);
    expect(t.sent[0]!.content.text).not.toMatch(/\d{6}/);
    // The audit trail records both sends alike, naming no account.
    const sends = (t.audit.record as jest.Mock).mock.calls.map(([e]) => e).filter((e) => e.action === 'account.email_code.sent');
    expect(sends.map((e) => [e.actor, e.details, e.workspaceId])).toEqual([
      [{ type: 'account', id: null }, { purpose: 'register' }, null],
      [{ type: 'account', id: null }, { purpose: 'register' }, null],
    ]);
  });

  it('creates the account only from a confirmed code, with the name and password register was given, once', async () => {
    const t = setUp();
    await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    const started = await t.registration.register({ email: 'ada@example.com', name: 'Ada', password: PASSWORD }, client);
    const token = (started.body as { data: string }).data;
    expect(t.accounts.byEmail.has('ada@example.com')).toBe(false);
    const code = t.codeFor('ada@example.com');
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await refusal(t.registration.checkCode({ email: 'ada@example.com', code: wrong, token }, client))).code).toBe(
      'email_code_error',
    );
    expect((await refusal(t.registration.checkCode({ email: 'eve@example.com', code, token }, client))).code).toBe('email_code_error');
    // The first step's token does not complete a sign-up.
    expect((await refusal(t.registration.complete({ token }, client))).code).toBe('invalid_or_expired_token');
    const checked = await t.registration.checkCode({ email: 'ada@example.com', code, token }, client);
    expect(checked).toEqual({ email: 'ada@example.com', is_valid: true, token: expect.any(String) });
    expect((await refusal(t.registration.checkCode({ email: 'ada@example.com', code, token }, client))).code).toBe(
      'invalid_or_expired_token',
    );
    const done = await t.registration.complete({ token: checked.token }, client);
    expect(done).toEqual({ result: 'success', data: expect.objectContaining({ token_type: 'Bearer' }) });
    const ada = t.accounts.byEmail.get('ada@example.com')!;
    expect(ada.name).toBe('Ada');
    await expect(verifyPassword(PASSWORD, ada.passwordHash)).resolves.toBe(true);
    expect((await refusal(t.registration.complete({ token: checked.token }, client))).code).toBe('invalid_or_expired_token');
  });

  it("takes the password at the last step in Dify's flow, and refuses an address that got an account meanwhile", async () => {
    const t = setUp();
    await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    const sent = await t.registration.sendEmail({ email: 'bob@example.com' }, client);
    const checked = await t.registration.checkCode(
      { email: 'bob@example.com', code: t.codeFor('bob@example.com'), token: sent.data },
      client,
    );
    expect((await refusal(t.registration.complete({ token: checked.token }, client))).code).toBe('invalid_param');
    const mismatch = { token: checked.token, new_password: PASSWORD, password_confirm: 'Other-Horse-9!' };
    expect((await refusal(t.registration.complete(mismatch, client))).code).toBe('password_mismatch');
    await t.accounts.create('bob@example.com', 'Bob by invitation', 'hash');
    const late = { token: checked.token, new_password: PASSWORD, password_confirm: PASSWORD };
    expect((await refusal(t.registration.complete(late, client))).code).toBe('email_already_in_use');
    expect(t.accounts.byEmail.get('bob@example.com')!.name).toBe('Bob by invitation');
  });

  it('spends a token after five wrong codes, and sends an address five codes an hour, each replacing the last', async () => {
    const t = setUp();
    await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    const first = await t.registration.sendEmail({ email: 'guess@example.com' }, client);
    const code = t.codeFor('guess@example.com');
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) {
      expect((await refusal(t.registration.checkCode({ email: 'guess@example.com', code: wrong, token: first.data }, client))).code).toBe(
        'email_code_error',
      );
    }
    const late = await refusal(t.registration.checkCode({ email: 'guess@example.com', code, token: first.data }, client));
    expect(late).toEqual({ code: 'email_register_limit', message: 'Too many failed attempts with this code. Please ask for a new code.' });

    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) tokens.push((await t.registration.sendEmail({ email: 'guess@example.com' }, client)).data);
    const refused = await refusal(t.registration.sendEmail({ email: 'guess@example.com' }, client));
    expect(refused).toEqual({
      code: 'email_register_rate_limit_exceeded',
      message: 'Too many email register emails have been sent. Please try again in 60 minutes.',
    });
    const latest = t.codeFor('guess@example.com');
    expect((await refusal(t.registration.checkCode({ email: 'guess@example.com', code: latest, token: tokens[2]! }, client))).code).toBe(
      'invalid_or_expired_token',
    );
    await expect(t.registration.checkCode({ email: 'guess@example.com', code: latest, token: tokens[3]! }, client)).resolves.toMatchObject({
      is_valid: true,
    });
  });
});

describe('guessing at one address', () => {
  it('stops after ten wrong codes a day over all its codes, even before the right one', async () => {
    const t = setUp();
    await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    const guess = async (email: string, token: string) => {
      const code = t.codeFor(email);
      return refusal(t.reset.checkCode({ email, code: code === '111111' ? '222222' : '111111', token }, client));
    };
    const first = await t.reset.sendEmail({ email: 'op@example.com' }, client);
    for (let i = 0; i < 5; i++) expect((await guess('op@example.com', first.data)).code).toBe('email_code_error');
    const second = await t.reset.sendEmail({ email: 'op@example.com' }, client);
    for (let i = 0; i < 5; i++) expect((await guess('op@example.com', second.data)).code).toBe('email_code_error');
    const third = await t.reset.sendEmail({ email: 'op@example.com' }, client);
    const right = await refusal(
      t.reset.checkCode({ email: 'op@example.com', code: t.codeFor('op@example.com'), token: third.data }, client),
    );
    expect(right).toEqual({
      code: 'email_password_reset_limit',
      message: 'Too many failed password reset attempts. Please try again in 24 hours.',
    });
  });
});

describe('password reset through a mailed code', () => {
  it('answers an unknown address like a known one, and mails only the account', async () => {
    const t = setUp();
    await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    const known = await t.reset.sendEmail({ email: 'op@example.com' }, client);
    const unknown = await t.reset.sendEmail({ email: 'nobody@example.com' }, client);
    expect(Object.keys(known)).toEqual(Object.keys(unknown));
    expect(known.data.length).toBe(unknown.data.length);
    expect(t.sent.map((m) => [m.kind, m.to])).toEqual([['password reset code', 'op@example.com']]);
  });

  it('sets the new password from a confirmed code only, signs the account out everywhere, and clears its lockout', async () => {
    const t = setUp();
    const op = await t.registration.register({ email: 'op@example.com', name: 'Op', password: PASSWORD }, client);
    const sent = await t.reset.sendEmail({ email: 'op@example.com' }, client);
    const newPassword = 'Brand-New-Horse-3!';
    const reset = { new_password: newPassword, password_confirm: newPassword };
    expect((await refusal(t.reset.reset({ ...reset, token: sent.data }, client))).code).toBe('invalid_or_expired_token');
    const checked = await t.reset.checkCode({ email: 'op@example.com', code: t.codeFor('op@example.com'), token: sent.data }, client);
    expect(
      (await refusal(t.reset.reset({ token: checked.token, new_password: newPassword, password_confirm: PASSWORD }, client))).code,
    ).toBe('password_mismatch');
    expect((await refusal(t.reset.reset({ token: checked.token, new_password: 'weak', password_confirm: 'weak' }, client))).code).toBe(
      'invalid_param',
    );
    await t.reset.reset({ ...reset, token: checked.token }, client);
    const account = t.accounts.byEmail.get('op@example.com')!;
    await expect(verifyPassword(newPassword, account.passwordHash)).resolves.toBe(true);
    expect(t.sessions.revokeAllOf).toHaveBeenCalledWith((op.body as { account_id: string }).account_id, 'password_reset');
    expect(t.throttle.clearEmail).toHaveBeenCalledWith('op@example.com');
    expect((await refusal(t.reset.reset({ ...reset, token: checked.token }, client))).code).toBe('invalid_or_expired_token');
  });

  it('is refused without mail', async () => {
    const t = setUp(false);
    expect((await refusal(t.reset.sendEmail({ email: 'op@example.com' }, client))).code).toBe('forbidden');
  });
});
