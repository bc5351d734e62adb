import type { AuditService } from '@weft/audit';
import { gatewayConfigSpec, loadConfig } from '@weft/config';
import type { DomainError } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import type { AccountRepository } from '../accounts/account.repository';
import type { AccountService } from '../accounts/account.service';
import type { AuthSessionRepository } from '../accounts/auth-session.repository';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { consoleAuthSettings } from '../accounts/console-auth.settings';
import type { MailService } from '../mail/mail.service';
import type { MailContent } from '../mail/mail.types';
import type { InvitationRow, WorkspaceRepository } from './workspace.repository';
import { WorkspaceService } from './workspace.service';

// Invitations over in-memory stand-ins for the repositories and the mail server; the SQL is exercised by
// test/e2e/account-mail.e2e-spec.ts and test/e2e/accounts.e2e-spec.ts.

const client = { ip: '192.0.2.1', userAgent: 'unit' };
const WORKSPACE = '00000000-0000-4000-8000-0000000000aa';
const admin: ConsoleUser = { accountId: '00000000-0000-4000-8000-000000000001', role: 'admin', sessionId: 's', workspaceId: WORKSPACE };
const accountsByEmail = new Map([
  ['member@example.com', { accountId: '00000000-0000-4000-8000-000000000002', email: 'member@example.com' }],
  ['existing@example.com', { accountId: '00000000-0000-4000-8000-000000000003', email: 'existing@example.com' }],
]);

function setUp(mailOn: boolean) {
  const invitations: (InvitationRow & { token: string; accepted: boolean })[] = [];
  const members = new Map<string, string>([['00000000-0000-4000-8000-000000000002', 'normal']]);
  const sent: { kind: string; to: string; content: MailContent }[] = [];
  const workspaces = {
    get: async () => ({ id: WORKSPACE, name: 'Acme', created_at: new Date() }),
    invite: async (workspaceId: string, email: string, role: InvitationRow['role'], invitedBy: string) => {
      const id = `inv-${invitations.length + 1}`;
      const token = `token-${invitations.length + 1}`;
      invitations.push({ id, workspaceId, workspaceName: 'Acme', email, role, invitedBy, token, accepted: false });
      return { id, token };
    },
    findInvitation: async (token: string) => invitations.find((i) => i.token === token && !i.accepted) ?? null,
    acceptForAccount: async (invitation: InvitationRow, accountId: string) => {
      const found = invitations.find((i) => i.id === invitation.id)!;
      if (found.accepted) return null;
      found.accepted = true;
      if (!members.has(accountId)) members.set(accountId, invitation.role);
      return members.get(accountId);
    },
  } as unknown as WorkspaceRepository;
  const accounts = {
    memberIdByEmail: async (_: string, email: string) => {
      const id = accountsByEmail.get(email)?.accountId;
      return id && members.has(id) ? id : null;
    },
    findById: async (id: string) => [...accountsByEmail.values()].find((a) => a.accountId === id) ?? null,
  } as unknown as AccountRepository;
  const mail = {
    enabled: mailOn,
    consoleWebUrl: 'https://weft.example.com',
    deliver: (kind: string, to: string, content: MailContent) => sent.push({ kind, to, content }),
  } as unknown as MailService;
  const settings = consoleAuthSettings(loadConfig('gateway', gatewayConfigSpec, {}));
  const service = new WorkspaceService(
    workspaces,
    accounts,
    {} as AccountService,
    {} as AuthSessionRepository,
    { record: jest.fn() } as unknown as AuditService,
    {} as MessageBus,
    mail,
    settings,
  );
  return { invitations, members, sent, service };
}

const as = (email: string): ConsoleUser => ({
  accountId: accountsByEmail.get(email)!.accountId,
  role: 'owner',
  sessionId: 's2',
  workspaceId: '00000000-0000-4000-8000-0000000000bb',
});

describe('invitations', () => {
  it('answer an address with an account as one without, make nobody a member, and mail the links', async () => {
    const t = setUp(true);
    const results = await t.service.invite(
      admin,
      { emails: ['existing@example.com', 'new@example.com', 'member@example.com'], role: 'editor' },
      client,
    );
    expect(results).toEqual([
      { status: 'success', email: 'existing@example.com' },
      { status: 'success', email: 'new@example.com' },
      { status: 'failed', email: 'member@example.com', message: 'Already a member of this workspace.' },
    ]);
    expect(t.members.has(accountsByEmail.get('existing@example.com')!.accountId)).toBe(false);
    expect(t.sent.map((m) => [m.kind, m.to])).toEqual([
      ['invitation', 'existing@example.com'],
      ['invitation', 'new@example.com'],
    ]);
    expect(t.sent[0]!.content.text).toContain('https://weft.example.com/activate?email=existing%40example.com&token=token-1');
  });

  it('give the inviter the link to pass on when there is no mail', async () => {
    const t = setUp(false);
    const results = await t.service.invite(admin, { emails: ['existing@example.com', 'new@example.com'], role: 'normal' }, client);
    expect(results).toEqual([
      { status: 'success', email: 'existing@example.com', url: '/activate?email=existing%40example.com&token=token-1' },
      { status: 'success', email: 'new@example.com', url: '/activate?email=new%40example.com&token=token-2' },
    ]);
    expect(t.sent).toEqual([]);
  });

  it('are accepted only by the account they were sent to, once', async () => {
    const t = setUp(true);
    await t.service.invite(admin, { emails: ['existing@example.com'], role: 'editor' }, client);
    const refusal = async (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (e: DomainError) => e.code,
      );
    expect(await refusal(t.service.acceptInvitation(as('member@example.com'), 'token-1', client))).toBe('invitation_account_mismatch');
    expect(await refusal(t.service.acceptInvitation(as('existing@example.com'), 'not-a-token', client))).toBe('bad_request');
    expect(t.members.has(accountsByEmail.get('existing@example.com')!.accountId)).toBe(false);
    await expect(t.service.acceptInvitation(as('existing@example.com'), 'token-1', client)).resolves.toEqual({
      result: 'success',
      workspace: { id: WORKSPACE, name: 'Acme', role: 'editor' },
    });
    expect(t.members.get(accountsByEmail.get('existing@example.com')!.accountId)).toBe('editor');
    expect(await refusal(t.service.acceptInvitation(as('existing@example.com'), 'token-1', client))).toBe('bad_request');
  });
});
