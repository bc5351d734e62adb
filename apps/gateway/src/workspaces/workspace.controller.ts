import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { DomainError, parseBody } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import { AccountService } from '../accounts/account.service';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { ActivateRequestSchema, InviteMembersRequestSchema, OwnerTransferRequestSchema, RetentionRequestSchema, SwitchWorkspaceRequestSchema, UpdateRoleRequestSchema, toRetentionResponse } from './workspace.dto';
import { WorkspaceRepository } from './workspace.repository';
import { WorkspaceService } from './workspace.service';

const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

/** The caller's workspaces and the current workspace's members (Dify's console paths). */
@Controller('console/api')
export class WorkspaceController {
  constructor(
    private readonly service: WorkspaceService,
    private readonly repository: WorkspaceRepository,
    private readonly accounts: AccountService,
    private readonly bus: MessageBus,
  ) {}

  @Get('workspaces')
  @UseGuards(ConsoleAuthGuard)
  async list(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    const rows = await this.repository.listFor(user.accountId);
    return { workspaces: rows.map((w) => ({ id: w.id, name: w.name, role: w.role, created_at: seconds(w.created_at), current: w.id === user.workspaceId })) };
  }

  @Get('workspaces/current')
  @UseGuards(ConsoleAuthGuard)
  async current(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    const workspace = await this.repository.get(user.workspaceId);
    if (!workspace) throw new DomainError('not_found', 'Workspace not found.');
    return { id: workspace.id, name: workspace.name, role: user.role, created_at: seconds(workspace.created_at) };
  }

  @Post('workspaces/switch')
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  async switch(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    const { tenant_id } = parseBody(SwitchWorkspaceRequestSchema, body);
    const token = await this.accounts.switchWorkspace(user.accountId, user.sessionId, tenant_id, client);
    const workspace = await this.repository.get(tenant_id);
    return { result: 'success', new_tenant: { id: tenant_id, name: workspace?.name ?? '' }, ...token };
  }

  @Get('workspaces/current/members')
  @UseGuards(ConsoleAuthGuard)
  async members(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    const rows = await this.repository.members(user.workspaceId);
    return { result: 'success', accounts: rows.map((m) => ({ ...m, created_at: seconds(m.created_at), last_login_at: seconds(m.last_login_at) })) };
  }

  @Post('workspaces/current/members/invite-email')
  @HttpCode(201)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  async invite(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    const results = await this.service.invite(user, parseBody(InviteMembersRequestSchema, body), client);
    return { result: 'success', invitation_results: results };
  }

  @Put('workspaces/current/members/:memberId/update-role')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  async updateRole(@CurrentConsoleUser() user: ConsoleUser, @Param('memberId') memberId: string, @Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    await this.service.updateRole(user, memberId, parseBody(UpdateRoleRequestSchema, body).role, client);
    return { result: 'success' };
  }

  @Delete('workspaces/current/members/:memberId')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  async remove(@CurrentConsoleUser() user: ConsoleUser, @Param('memberId') memberId: string, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    await this.service.remove(user, memberId, client);
    return { result: 'success' };
  }

  /** Makes a member the owner; the caller, owner until now, becomes an admin. */
  @Post('workspaces/current/members/:memberId/owner-transfer')
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('owner')
  async transferOwnership(@CurrentConsoleUser() user: ConsoleUser, @Param('memberId') memberId: string, @Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    await this.service.transferOwnership(user, memberId, parseBody(OwnerTransferRequestSchema, body).password, client);
    return { result: 'success' };
  }

  /** How long the workspace's runs are kept (its own period or the deployment's default) and whether a legal hold stops deletion. */
  @Get('workspaces/current/retention')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  async retention(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    return toRetentionResponse(await this.bus.request('wf.retention.get.v1', { workspaceId: user.workspaceId }));
  }

  /** Sets the workspace's own retention period in days (`null`: the deployment's default); the owner decides. */
  @Put('workspaces/current/retention')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('owner')
  async setRetention(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown): Promise<unknown> {
    const { retention_days } = parseBody(RetentionRequestSchema, body);
    return toRetentionResponse(await this.bus.request('wf.retention.set.v1', { accountId: user.accountId, retentionDays: retention_days, workspaceId: user.workspaceId }));
  }

  /** Whether an invitation link still works (Dify's `activate/check`). */
  @Get('activate/check')
  async checkInvitation(@Query('token') token?: string): Promise<unknown> {
    const invitation = token && token.length <= 200 ? await this.repository.findInvitation(token) : null;
    return invitation ? { is_valid: true, data: { workspace_name: invitation.workspaceName, workspace_id: invitation.workspaceId, email: invitation.email } } : { is_valid: false, data: null };
  }

  @Post('activate')
  @HttpCode(200)
  activate(@Body() body: unknown, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    return this.service.activate(parseBody(ActivateRequestSchema, body), client);
  }
}
