import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import { isUuid } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import { AccountRepository } from '../accounts/account.repository';
import { AccountService, assertPasswordPolicy } from '../accounts/account.service';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from '../accounts/console-auth.settings';
import { AuthSessionRepository } from '../accounts/auth-session.repository';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import type { RegisteredResponse } from '../accounts/account.dto';
import { hashPassword } from '../accounts/password.util';
import { type WorkspaceRole, roleAtLeast } from '../accounts/workspace-role.util';
import { invitationMail, invitationPath } from '../mail/mail-templates.util';
import { MailService } from '../mail/mail.service';
import { WorkspaceErrors } from './workspace.exception';
import {
  toCurrentWorkspace,
  toMemberResponse,
  toRetentionResponse,
  toWorkspaceList,
  type AcceptedInvitation,
  type ActivateRequestSchema,
  type CurrentWorkspace,
  type InvitationCheck,
  type InvitationResult,
  type InviteMembersRequestSchema,
  type MemberResponse,
  type RetentionResponse,
  type SwitchWorkspaceResponse,
  type WorkspaceList,
} from './workspace.dto';
import { EmailTakenError, WorkspaceRepository } from './workspace.repository';

/**
 * Who may change whom: an admin or owner manages members whose role is below their own, and may give
 * at most their own role; the owner cannot be demoted or removed, nor can anyone change themselves.
 */
export function assertMayManage(actor: ConsoleUser, targetId: string, targetRole: WorkspaceRole, newRole?: WorkspaceRole): void {
  if (targetId === actor.accountId) throw WorkspaceErrors.ownMembershipFixed();
  if (targetRole === 'owner') throw WorkspaceErrors.ownerMembershipFixed();
  if (actor.role !== 'owner' && roleAtLeast(targetRole, actor.role)) throw WorkspaceErrors.onlyOwnerChangesRole(targetRole);
  if (newRole && actor.role !== 'owner' && roleAtLeast(newRole, actor.role)) throw WorkspaceErrors.onlyOwnerGivesRole(newRole);
}

/** Workspaces, members and invitations. Every change is audited. */
@Injectable()
export class WorkspaceService {
  constructor(
    private readonly workspaces: WorkspaceRepository,
    private readonly accounts: AccountRepository,
    private readonly accountService: AccountService,
    private readonly sessions: AuthSessionRepository,
    private readonly audit: AuditService,
    private readonly bus: MessageBus,
    private readonly mail: MailService,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  /** The workspaces the caller belongs to, with its role in each; `current` marks the one its token is for. */
  async list(user: ConsoleUser): Promise<WorkspaceList> {
    return toWorkspaceList(await this.workspaces.listFor(user.accountId), user.workspaceId);
  }

  /** The workspace the caller's token is for. */
  async current(user: ConsoleUser): Promise<CurrentWorkspace> {
    const workspace = await this.workspaces.get(user.workspaceId);
    if (!workspace) throw WorkspaceErrors.notFound();
    return toCurrentWorkspace(workspace, user.role);
  }

  /** Moves the caller's session to another of its workspaces (404 for one it does not belong to) and answers the new access token. */
  async switchWorkspace(user: ConsoleUser, workspaceId: string, client: RequestClientInfo): Promise<SwitchWorkspaceResponse> {
    const token = await this.accountService.switchWorkspace(user.accountId, user.sessionId, workspaceId, client);
    const workspace = await this.workspaces.get(workspaceId);
    return { result: 'success', new_tenant: { id: workspaceId, name: workspace?.name ?? '' }, ...token };
  }

  /** The workspace's members, then its pending invitations. */
  async members(user: ConsoleUser): Promise<MemberResponse[]> {
    return (await this.workspaces.members(user.workspaceId)).map(toMemberResponse);
  }

  /** How long the workspace's runs are kept, and whether a legal hold stops their deletion (the orchestrator's setting). */
  async retention(user: ConsoleUser): Promise<RetentionResponse> {
    return toRetentionResponse(await this.bus.request('wf.retention.get.v1', { workspaceId: user.workspaceId }));
  }

  /** Sets the workspace's own retention period in days; null returns it to the deployment's default. */
  async setRetention(user: ConsoleUser, retentionDays: number | null): Promise<RetentionResponse> {
    return toRetentionResponse(
      await this.bus.request('wf.retention.set.v1', { accountId: user.accountId, retentionDays, workspaceId: user.workspaceId }),
    );
  }

  /** Whether an invitation link still works; a missing or overlong token is simply not valid. */
  async checkInvitation(token: string | undefined): Promise<InvitationCheck> {
    const invitation = token && token.length <= 200 ? await this.workspaces.findInvitation(token) : null;
    return invitation
      ? {
          is_valid: true,
          data: { workspace_name: invitation.workspaceName, workspace_id: invitation.workspaceId, email: invitation.email },
        }
      : { is_valid: false, data: null };
  }

  /**
   * Invites by email. Every address, with an account or without, gets a pending invitation and the same answer:
   * nobody joins until the invited person acts on the link, someone new by creating an account with it
   * (`activate`), an existing account by accepting it while signed in (`acceptInvitation`). With mail the link
   * goes to the address only; without mail the answer carries its path, for the inviter to pass on.
   */
  async invite(
    actor: ConsoleUser,
    req: z.infer<typeof InviteMembersRequestSchema>,
    client: RequestClientInfo,
  ): Promise<InvitationResult[]> {
    if (actor.role !== 'owner' && roleAtLeast(req.role, actor.role)) throw WorkspaceErrors.onlyOwnerGivesRole(req.role);
    const workspace = await this.workspaces.get(actor.workspaceId);
    const results: InvitationResult[] = [];
    for (const email of [...new Set(req.emails)]) {
      // The inviter can see the workspace's members anyway, so saying this tells them nothing new.
      if (await this.accounts.memberIdByEmail(actor.workspaceId, email)) {
        results.push({ status: 'failed', email, message: 'Already a member of this workspace.' });
        continue;
      }
      const { id, token } = await this.workspaces.invite(
        actor.workspaceId,
        email,
        req.role,
        actor.accountId,
        this.settings.invitationTtlHours * 3600_000,
      );
      this.record(actor, 'workspace.member.invited', id, client, { role: req.role });
      if (this.mail.enabled) {
        this.mail.deliver(
          'invitation',
          email,
          invitationMail({
            consoleWebUrl: this.mail.consoleWebUrl,
            email,
            hours: this.settings.invitationTtlHours,
            token,
            workspaceName: workspace?.name ?? '',
          }),
        );
        results.push({ status: 'success', email });
      } else {
        results.push({ status: 'success', email, url: invitationPath(email, token) });
      }
    }
    return results;
  }

  /**
   * The signed-in account accepts an invitation sent to its own address and joins the workspace with the
   * invited role. An invitation for another address is refused (403), whoever holds its token.
   */
  async acceptInvitation(user: ConsoleUser, token: string, client: RequestClientInfo): Promise<AcceptedInvitation> {
    const invitation = await this.workspaces.findInvitation(token);
    if (!invitation) throw WorkspaceErrors.invitationInvalid();
    const account = await this.accounts.findById(user.accountId);
    if (!account || account.email !== invitation.email) throw WorkspaceErrors.invitationForAnotherAccount();
    const role = await this.workspaces.acceptForAccount(invitation, user.accountId);
    if (!role) throw WorkspaceErrors.invitationInvalid();
    this.audit.record({
      action: 'workspace.member.joined',
      actor: { type: 'account', id: user.accountId },
      resource: { type: 'account', id: user.accountId },
      workspaceId: invitation.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { existing_account: true, invitation_id: invitation.id, role },
    });
    return { result: 'success', workspace: { id: invitation.workspaceId, name: invitation.workspaceName, role } };
  }

  async updateRole(actor: ConsoleUser, memberId: string, role: WorkspaceRole, client: RequestClientInfo): Promise<void> {
    const current = await this.requireMember(actor, memberId);
    assertMayManage(actor, memberId, current, role);
    await this.workspaces.setRole(actor.workspaceId, memberId, role);
    this.record(actor, 'workspace.member.role_changed', memberId, client, { from: current, to: role });
  }

  /** Removes a member; their sessions in this workspace end at once. */
  async remove(actor: ConsoleUser, memberId: string, client: RequestClientInfo): Promise<void> {
    const current = await this.requireMember(actor, memberId);
    assertMayManage(actor, memberId, current);
    await this.workspaces.removeMember(actor.workspaceId, memberId);
    await this.sessions.revokeAllOf(memberId, 'member_removed', actor.workspaceId);
    this.record(actor, 'workspace.member.removed', memberId, client, { role: current });
  }

  /**
   * Hands the workspace to another member: they become its owner and the caller, its owner until now, an
   * admin (who may then leave, or erase their account). The caller's password confirms it.
   */
  async transferOwnership(actor: ConsoleUser, memberId: string, password: string, client: RequestClientInfo): Promise<void> {
    const previous = await this.requireMember(actor, memberId);
    if (memberId === actor.accountId) throw WorkspaceErrors.alreadyOwner();
    if ((await this.accounts.findById(memberId))?.status !== 'active') throw WorkspaceErrors.newOwnerNotActive();
    await this.accountService.confirmPassword(actor.accountId, password);
    if (!(await this.workspaces.transferOwnership(actor.workspaceId, actor.accountId, memberId))) {
      throw WorkspaceErrors.transferRaced();
    }
    this.record(actor, 'workspace.owner.transferred', memberId, client, { from: actor.accountId, previous_role: previous });
  }

  /** Creates the invited person's account, joins the workspace and logs them in (an address with an account accepts instead). */
  async activate(req: z.infer<typeof ActivateRequestSchema>, client: RequestClientInfo): Promise<RegisteredResponse> {
    const invitation = await this.workspaces.findInvitation(req.token);
    if (!invitation || (req.email !== undefined && req.email !== invitation.email)) throw WorkspaceErrors.invitationInvalid();
    assertPasswordPolicy(req.password, this.settings.passwordPolicy);
    let joined: { accountId: string } | null;
    try {
      joined = await this.workspaces.acceptInvitation(invitation, req.name, await hashPassword(req.password));
    } catch (error) {
      if (error instanceof EmailTakenError) throw WorkspaceErrors.emailTakenOnJoin();
      throw error;
    }
    if (!joined) throw WorkspaceErrors.invitationInvalid();
    this.audit.record({
      action: 'workspace.member.joined',
      actor: { type: 'account', id: joined.accountId },
      resource: { type: 'account', id: joined.accountId },
      workspaceId: invitation.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { existing_account: false, invitation_id: invitation.id, role: invitation.role },
    });
    const tokens = await this.accountService.startSession(joined.accountId, invitation.workspaceId, client);
    return { ...tokens, account_id: joined.accountId, workspace_id: invitation.workspaceId };
  }

  private async requireMember(actor: ConsoleUser, memberId: string): Promise<WorkspaceRole> {
    const role = isUuid(memberId) ? await this.workspaces.roleOf(actor.workspaceId, memberId) : null;
    if (!role) throw WorkspaceErrors.memberNotFound();
    return role;
  }

  private record(
    actor: ConsoleUser,
    action: string,
    resourceId: string,
    client: RequestClientInfo,
    details: Record<string, unknown>,
  ): void {
    this.audit.record({
      action,
      actor: { type: 'account', id: actor.accountId },
      resource: { type: action === 'workspace.member.invited' ? 'invitation' : 'account', id: resourceId },
      workspaceId: actor.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details,
    });
  }
}
