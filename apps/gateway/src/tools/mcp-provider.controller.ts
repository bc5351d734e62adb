import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import {
  McpProviderCreateSchema,
  McpProviderDeleteSchema,
  McpProviderListSchema,
  McpProviderSchema,
  McpProviderUpdateSchema,
  type McpProviderCreate,
  type McpProviderUpdate,
  type McpProviderView,
} from './mcp-provider.dto';
import { McpProviderService } from './mcp-provider.service';

/**
 * The console's MCP provider routes, in Dify's paths and shapes: add, change and remove a workspace's MCP
 * servers (admins), read them and their tools (members), list their tools again (editors and up).
 */
@Controller('console/api/workspaces/current')
@UseGuards(ConsoleAuthGuard)
export class McpProviderController {
  constructor(private readonly mcp: McpProviderService) {}

  @Post('tool-provider/mcp')
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.mcpProviderCreated)
  @RequireRole('admin')
  @Returns(McpProviderSchema)
  create(@CurrentConsoleUser() user: ConsoleUser, @ParsedBody(McpProviderCreateSchema) body: McpProviderCreate): Promise<McpProviderView> {
    return this.mcp.create(user, body);
  }

  @Put('tool-provider/mcp')
  @Audited(AUDITED_ROUTES.mcpProviderUpdated)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async update(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(McpProviderUpdateSchema) body: McpProviderUpdate,
  ): Promise<SuccessResult> {
    await this.mcp.update(user, body);
    return SUCCESS;
  }

  @Delete('tool-provider/mcp')
  @Audited(AUDITED_ROUTES.mcpProviderDeleted)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async delete(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(McpProviderDeleteSchema) body: { provider_id: string },
  ): Promise<SuccessResult> {
    await this.mcp.delete(user, body.provider_id);
    return SUCCESS;
  }

  @Get('tool-provider/mcp/tools/:providerId')
  @Returns(McpProviderSchema)
  detail(@CurrentConsoleUser() user: ConsoleUser, @Param('providerId') providerId: string): Promise<McpProviderView> {
    return this.mcp.detail(user, providerId);
  }

  @Get('tool-provider/mcp/update/:providerId')
  @RequireRole('editor')
  @Returns(McpProviderSchema)
  refresh(@CurrentConsoleUser() user: ConsoleUser, @Param('providerId') providerId: string): Promise<McpProviderView> {
    return this.mcp.refresh(user, providerId);
  }

  @Get('tools/mcp')
  @Returns(McpProviderListSchema)
  list(@CurrentConsoleUser() user: ConsoleUser): Promise<McpProviderView[]> {
    return this.mcp.list(user);
  }
}
