import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, Returns } from '../docs/route-schema.util';
import {
  BuiltinCredentialsRequestSchema,
  BuiltinCredentialsSchema,
  ToolEntityListSchema,
  ToolProviderListSchema,
} from './tool-provider.dto';
import { ToolProviderService } from './tool-provider.service';

const providerName = (provider: string | string[]): string => (Array.isArray(provider) ? provider.join('/') : provider);

/**
 * The console's tool-provider routes in Dify's shapes. The provider may be the DSL's long plugin form with
 * slashes (`langgenius/tavily/tavily`), hence the wildcards.
 */
@Controller('console/api/workspaces/current')
@UseGuards(ConsoleAuthGuard)
export class ToolProviderController {
  constructor(private readonly tools: ToolProviderService) {}

  @Get('tool-providers')
  @Returns(ToolProviderListSchema)
  listProviders(@CurrentConsoleUser() user: ConsoleUser): Promise<Record<string, unknown>[]> {
    return this.tools.listProviders(user);
  }

  @Get('tool-provider/builtin/*provider/tools')
  @Returns(ToolEntityListSchema)
  builtinTools(@Param('provider') provider: string | string[]): Record<string, unknown>[] {
    return this.tools.builtinTools(providerName(provider));
  }

  @Get('tool-provider/builtin/*provider/credentials')
  @RequireRole('admin')
  @Returns(BuiltinCredentialsSchema)
  builtinCredentials(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('provider') provider: string | string[],
  ): Promise<Record<string, string>> {
    return this.tools.builtinCredentials(user, providerName(provider));
  }

  @Post('tool-provider/builtin/*provider/update')
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.toolProviderCredentialsUpdated)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async updateBuiltin(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('provider') provider: string | string[],
    @ParsedBody(BuiltinCredentialsRequestSchema) body: z.infer<typeof BuiltinCredentialsRequestSchema>,
  ): Promise<SuccessResult> {
    await this.tools.updateBuiltinCredentials(user, providerName(provider), body.credentials);
    return SUCCESS;
  }

  @Post('tool-provider/builtin/*provider/delete')
  @HttpCode(200)
  @Audited(AUDITED_ROUTES.toolProviderCredentialsDeleted)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async deleteBuiltin(@CurrentConsoleUser() user: ConsoleUser, @Param('provider') provider: string | string[]): Promise<SuccessResult> {
    await this.tools.deleteBuiltinCredentials(user, providerName(provider));
    return SUCCESS;
  }
}
