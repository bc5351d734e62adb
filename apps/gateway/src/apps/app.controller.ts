import { Controller, Delete, Get, HttpCode, Param, Post, Put, Res, UseGuards } from '@nestjs/common';
import { AppErrors } from '@weft/contracts';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { Response } from 'express';
import type { z } from 'zod';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { SUCCESS, SuccessResultSchema, type SuccessResult } from '../docs/common.dto';
import { ParsedBody, ParsedQuery, Returns } from '../docs/route-schema.util';
import {
  ApiKeyListSchema,
  AppListQuerySchema,
  AppPageSchema,
  AppResponseSchema,
  CreatedApiKeySchema,
  ExportResponseSchema,
  ImportRequestSchema,
  ImportResponseSchema,
  ProviderCredentialsSchema,
  PublishAnswerSchema,
  toApiKeyResponse,
  toAppResponse,
  type AppPage,
  type AppResponse,
  type ImportResponse,
  type PublishAnswer,
} from './app.dto';
import { AppService } from './app.service';

/** The console's app routes. */
@Controller('console/api')
@UseGuards(ConsoleAuthGuard)
export class AppController {
  constructor(private readonly apps: AppService) {}

  @Post('apps/imports')
  @Audited(AUDITED_ROUTES.appImported)
  @RequireRole('editor')
  @HttpCode(200)
  @Returns(ImportResponseSchema)
  async import(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedBody(ImportRequestSchema) req: z.infer<typeof ImportRequestSchema>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportResponse> {
    if (req.mode === 'yaml-url') throw AppErrors.importFromUrlUnsupported();
    if (typeof req.yaml_content !== 'string' || req.yaml_content.trim() === '') throw AppErrors.yamlContentRequired();
    const result = await this.apps.import(user, req.yaml_content, req);
    res.status(result.status === 'failed' ? 400 : 200);
    return result;
  }

  @Get('apps')
  @Returns(AppPageSchema)
  list(
    @CurrentConsoleUser() user: ConsoleUser,
    @ParsedQuery(AppListQuerySchema) query: z.infer<typeof AppListQuerySchema>,
  ): Promise<AppPage> {
    return this.apps.list(user, query.page, query.limit);
  }

  @Get('apps/:appId')
  @Returns(AppResponseSchema)
  async get(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<AppResponse> {
    return toAppResponse(await this.apps.requireApp(user, appId));
  }

  /** Deletes the app with its keys, workflows, runs and conversations (Dify answers 204). */
  @Delete('apps/:appId')
  @HttpCode(204)
  @RequireRole('editor')
  @Returns(null)
  async deleteApp(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @RequestClient() client: RequestClientInfo,
  ): Promise<void> {
    await this.apps.deleteApp(user, appId, client);
  }

  @Get('apps/:appId/export')
  @RequireRole('editor')
  @Returns(ExportResponseSchema)
  // `include_secret` is accepted for Dify clients but changes nothing: secrets are never returned.
  async export(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<z.infer<typeof ExportResponseSchema>> {
    return { data: await this.apps.export(user, appId) };
  }

  @Post('apps/:appId/workflows/publish')
  @Audited(AUDITED_ROUTES.appPublished)
  @RequireRole('editor')
  @HttpCode(200)
  @Returns(PublishAnswerSchema)
  publish(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<PublishAnswer> {
    return this.apps.publish(user, appId);
  }

  @Post('apps/:appId/api-keys')
  @RequireRole('editor')
  @HttpCode(201)
  @Returns(CreatedApiKeySchema)
  async createKey(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @RequestClient() client: RequestClientInfo,
  ): Promise<z.infer<typeof CreatedApiKeySchema>> {
    const { key, token } = await this.apps.createKey(user, appId, client);
    return { created_at: Math.floor(key.createdAt.getTime() / 1000), id: key.id, last_used_at: null, token, type: 'app' };
  }

  @Get('apps/:appId/api-keys')
  @RequireRole('editor')
  @Returns(ApiKeyListSchema)
  async listKeys(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<z.infer<typeof ApiKeyListSchema>> {
    return { data: (await this.apps.listKeys(user, appId)).map(toApiKeyResponse) };
  }

  /** Revokes an app key; within moments it stops working on every gateway replica. */
  @Delete('apps/:appId/api-keys/:keyId')
  @HttpCode(204)
  @RequireRole('editor')
  @Returns(null)
  async revokeKey(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('appId') appId: string,
    @Param('keyId') keyId: string,
    @RequestClient() client: RequestClientInfo,
  ): Promise<void> {
    await this.apps.revokeKey(user, appId, keyId, client);
  }

  // The provider may be the DSL's long form with slashes (`langgenius/openai/openai`), hence the wildcard.
  @Put('workspaces/current/model-providers/*provider')
  @Audited(AUDITED_ROUTES.providerCredentialsUpdated)
  @RequireRole('admin')
  @Returns(SuccessResultSchema)
  async saveProvider(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('provider') provider: string | string[],
    @ParsedBody(ProviderCredentialsSchema) body: z.infer<typeof ProviderCredentialsSchema>,
  ): Promise<SuccessResult> {
    const name = Array.isArray(provider) ? provider.join('/') : provider;
    await this.apps.saveProviderCredentials(user, name, body.credentials);
    return SUCCESS;
  }
}
