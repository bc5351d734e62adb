import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { DomainError, parseBody } from '@weft/contracts';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { Response } from 'express';
import { Audited } from '../audit/audit.interceptor';
import { AUDITED_ROUTES } from '../audit/audited-routes';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { ImportRequestSchema, ProviderCredentialsSchema, toApiKeyResponse, toAppResponse } from './app.dto';
import { AppRepository } from './app.repository';
import { AppService } from './app.service';

/** The console's app routes. */
@Controller('console/api')
@UseGuards(ConsoleAuthGuard)
export class AppController {
  constructor(
    private readonly apps: AppService,
    private readonly repository: AppRepository,
  ) {}

  @Post('apps/imports')
  @Audited(AUDITED_ROUTES.appImported)
  @RequireRole('editor')
  async import(@CurrentConsoleUser() user: ConsoleUser, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const req = parseBody(ImportRequestSchema, body);
    if (req.mode === 'yaml-url') throw new DomainError('invalid_param', 'Importing from a URL is not supported; send the YAML as yaml_content.');
    if (typeof req.yaml_content !== 'string' || req.yaml_content.trim() === '') throw new DomainError('invalid_param', 'yaml_content is required when mode is yaml-content.');
    const result = await this.apps.import(user, req.yaml_content, req);
    res.status(result.status === 'failed' ? 400 : 200);
    return result;
  }

  @Get('apps')
  async list(@CurrentConsoleUser() user: ConsoleUser, @Query('page') page?: string, @Query('limit') limit?: string): Promise<unknown> {
    const size = Math.min(100, Math.max(1, Number(limit ?? 20) || 20));
    const current = Math.max(1, Number(page ?? 1) || 1);
    const { apps, total } = await this.repository.list(user.workspaceId, size, (current - 1) * size);
    return { data: apps.map(toAppResponse), has_more: current * size < total, limit: size, page: current, total };
  }

  @Get('apps/:appId')
  async get(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<unknown> {
    return toAppResponse(await this.apps.requireApp(user, appId));
  }

  /** Deletes the app with its keys, workflows, runs and conversations (Dify answers 204). */
  @Delete('apps/:appId')
  @HttpCode(204)
  @RequireRole('editor')
  async deleteApp(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string, @RequestClient() client: RequestClientInfo): Promise<void> {
    await this.apps.deleteApp(user, appId, client);
  }

  @Get('apps/:appId/export')
  @RequireRole('editor')
  // `include_secret` is accepted for Dify clients but changes nothing: secrets are never returned.
  async export(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<{ data: string }> {
    return { data: await this.apps.export(user, appId) };
  }

  @Post('apps/:appId/workflows/publish')
  @Audited(AUDITED_ROUTES.appPublished)
  @RequireRole('editor')
  @HttpCode(200)
  publish(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<unknown> {
    return this.apps.publish(user, appId);
  }

  @Post('apps/:appId/api-keys')
  @RequireRole('editor')
  @HttpCode(201)
  async createKey(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    const { key, token } = await this.apps.createKey(user, appId, client);
    return { created_at: Math.floor(key.createdAt.getTime() / 1000), id: key.id, last_used_at: null, token, type: 'app' };
  }

  @Get('apps/:appId/api-keys')
  @RequireRole('editor')
  async listKeys(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string): Promise<unknown> {
    return { data: (await this.apps.listKeys(user, appId)).map(toApiKeyResponse) };
  }

  /** Revokes an app key; within moments it stops working on every gateway replica. */
  @Delete('apps/:appId/api-keys/:keyId')
  @HttpCode(204)
  @RequireRole('editor')
  async revokeKey(@CurrentConsoleUser() user: ConsoleUser, @Param('appId') appId: string, @Param('keyId') keyId: string, @RequestClient() client: RequestClientInfo): Promise<void> {
    await this.apps.revokeKey(user, appId, keyId, client);
  }

  // The provider may be the DSL's long form with slashes (`langgenius/openai/openai`), hence the wildcard.
  @Put('workspaces/current/model-providers/*provider')
  @Audited(AUDITED_ROUTES.providerCredentialsUpdated)
  @RequireRole('admin')
  async saveProvider(@CurrentConsoleUser() user: ConsoleUser, @Param('provider') provider: string | string[], @Body() body: unknown): Promise<{ result: 'success' }> {
    const name = Array.isArray(provider) ? provider.join('/') : provider;
    await this.apps.saveProviderCredentials(user, name, parseBody(ProviderCredentialsSchema, body).credentials);
    return { result: 'success' };
  }
}
