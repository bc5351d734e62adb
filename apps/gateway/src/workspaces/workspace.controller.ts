import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import { RegisteredResponseSchema, type RegisteredResponse } from '../accounts/account.dto';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import {
  AcceptedInvitationSchema,
  AcceptInvitationRequestSchema,
  ActivateRequestSchema,
  CurrentWorkspaceSchema,
  InvitationCheckSchema,
  InviteMembersRequestSchema,
  InviteMembersResponseSchema,
  MembersResponseSchema,
  OwnerTransferRequestSchema,
  RetentionRequestSchema,
  RetentionResponseSchema,
  SwitchWorkspaceRequestSchema,
  SwitchWorkspaceResponseSchema,
  UpdateRoleRequestSchema,
  WorkspaceListSchema,
  type AcceptedInvitation,
  type CurrentWorkspace,
  type InvitationCheck,
  type RetentionResponse,
  type SwitchWorkspaceResponse,
  type WorkspaceList,
} from './workspace.dto';
import { WorkspaceService } from './workspace.service';
import { SensitiveConsoleRoute } from '../protection/rate-limit.interceptor';

/** The caller's workspaces and the current workspace's members (Dify's console paths). */
@Controller('console/api')
export class WorkspaceController {
  constructor(private readonly service: WorkspaceService) {}

  @Get('workspaces')
  @UseGuards(ConsoleAuthGuard)
  @Returns(WorkspaceListSchema)
  list(@CurrentConsoleUser() user: ConsoleUser): Promise<WorkspaceList> {
    return this.service.list(user);
  }

  @Get('workspaces/current')
  @UseGuards(ConsoleAuthGuard)
  @Returns(CurrentWorkspaceSchema)
  current(@CurrentConsoleUser() user: ConsoleUser): Promise<CurrentWorkspace> {
    return this.service.current(user);
  }

  @Post('workspaces/switch')
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  @Returns(SwitchWorkspaceResponseSchema)
  switch(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(SwitchWorkspaceRequestSchema) body: z.infer<typeof SwitchWorkspaceRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<SwitchWorkspaceResponse> {
    return this.service.switchWorkspace(user, body.tenant_id, client);
  }

  @Get('workspaces/current/members')
  @UseGuards(ConsoleAuthGuard)
  @Returns(MembersResponseSchema)
  async members(@CurrentConsoleUser() user: ConsoleUser): Promise<z.infer<typeof MembersResponseSchema>> {
    return { result: 'success', accounts: await this.service.members(user) };
  }

  @Post('workspaces/current/members/invite-email')
  @SensitiveConsoleRoute()
  @HttpCode(201)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Returns(InviteMembersResponseSchema)
  async invite(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(InviteMembersRequestSchema) body: z.infer<typeof InviteMembersRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<z.infer<typeof InviteMembersResponseSchema>> {
    const results = await this.service.invite(user, body, client);
    return { result: 'success', invitation_results: results };
  }

  /** The signed-in account accepts an invitation sent to its address (the token from the invitation mail or link). */
  @Post('workspaces/invitations/accept')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  @Returns(AcceptedInvitationSchema)
  acceptInvitation(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(AcceptInvitationRequestSchema) body: z.infer<typeof AcceptInvitationRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<AcceptedInvitation> {
    return this.service.acceptInvitation(user, body.token, client);
  }

  @Put('workspaces/current/members/:memberId/update-role')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async updateRole(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('memberId') memberId: string,
    @ParsedBody(UpdateRoleRequestSchema) body: z.infer<typeof UpdateRoleRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<SuccessResult> {
    await this.service.updateRole(user, memberId, body.role, client);
    return SUCCESS;
  }

  @Delete('workspaces/current/members/:memberId')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async remove(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('memberId') memberId: string,
    @RequestClient() client: RequestClientInfo,
  ): Promise<SuccessResult> {
    await this.service.remove(user, memberId, client);
    return SUCCESS;
  }

  /** Makes a member the owner; the caller, owner until now, becomes an admin. */
  @Post('workspaces/current/members/:memberId/owner-transfer')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('owner')
  @Returns(SuccessResultSchema)
  async transferOwnership(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('memberId') memberId: string,
    @ParsedBody(OwnerTransferRequestSchema) body: z.infer<typeof OwnerTransferRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<SuccessResult> {
    await this.service.transferOwnership(user, memberId, body.password, client);
    return SUCCESS;
  }

  /** How long the workspace's runs are kept (its own period or the deployment's default) and whether a legal hold stops deletion. */
  @Get('workspaces/current/retention')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('admin')
  @Returns(RetentionResponseSchema)
  retention(@CurrentConsoleUser() user: ConsoleUser): Promise<RetentionResponse> {
    return this.service.retention(user);
  }

  /** Sets the workspace's own retention period in days (`null`: the deployment's default); the owner decides. */
  @Put('workspaces/current/retention')
  @UseGuards(ConsoleAuthGuard)
  @RequireRole('owner')
  @Returns(RetentionResponseSchema)
  setRetention(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(RetentionRequestSchema) body: z.infer<typeof RetentionRequestSchema>,
  ): Promise<RetentionResponse> {
    return this.service.setRetention(user, body.retention_days);
  }

  /**
   * Whether an invitation link still works (Dify's `activate/check`). The token is read as is, not parsed: a
   * missing, empty or overlong token answers `is_valid: false`, never 400.
   */
  @Get('activate/check')
  @Returns(InvitationCheckSchema)
  checkInvitation(@Query('token') token?: string): Promise<InvitationCheck> {
    return this.service.checkInvitation(token);
  }

  @Post('activate')
  @SensitiveConsoleRoute()
  @HttpCode(200)
  @Returns(RegisteredResponseSchema)
  activate(
    @ParsedBody(ActivateRequestSchema) body: z.infer<typeof ActivateRequestSchema>,
    @RequestClient() client: RequestClientInfo,
  ): Promise<RegisteredResponse> {
    return this.service.activate(body, client);
  }
}
