import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditService } from '@weft/audit';
import { DomainError } from '@weft/contracts';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { toApiKeyResponse } from '../apps/app.dto';
import { AppRepository } from '../apps/app.repository';
import { ApiKeyCache } from '../service-api/api-key-cache.service';

/** The console's dataset keys: workspace-wide Knowledge API keys, shown once, stored hashed, revocable; admins and the owner manage them (as in Dify). */
@Controller('console/api/datasets/api-keys')
@UseGuards(ConsoleAuthGuard)
export class DatasetKeyController {
  constructor(
    private readonly apps: AppRepository,
    private readonly keyCache: ApiKeyCache,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @RequireRole('admin')
  @HttpCode(201)
  async create(@CurrentConsoleUser() user: ConsoleUser, @RequestClient() client: RequestClientInfo): Promise<unknown> {
    const token = `dataset-${randomBytes(24).toString('base64url')}`;
    const key = await this.apps.createKey(user.workspaceId, null, 'dataset', token, user.accountId);
    this.record(user, 'api_key.created', key.id, client);
    return { created_at: Math.floor(key.createdAt.getTime() / 1000), id: key.id, last_used_at: null, token, type: 'dataset' };
  }

  @Get()
  @RequireRole('admin')
  async list(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    return { data: (await this.apps.listDatasetKeys(user.workspaceId)).map(toApiKeyResponse) };
  }

  @Delete(':keyId')
  @RequireRole('admin')
  @HttpCode(204)
  async revoke(@CurrentConsoleUser() user: ConsoleUser, @Param('keyId') keyId: string, @RequestClient() client: RequestClientInfo): Promise<void> {
    if (!(await this.apps.deleteKey(user.workspaceId, null, keyId))) throw new DomainError('not_found', 'API key not found.');
    this.keyCache.announceRevoked(keyId);
    this.record(user, 'api_key.revoked', keyId, client);
  }

  private record(user: ConsoleUser, action: string, keyId: string, client: RequestClientInfo): void {
    this.audit.record({
      action,
      actor: { type: 'account', id: user.accountId },
      resource: { type: 'api_key', id: keyId },
      workspaceId: user.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { key_type: 'dataset' },
    });
  }
}
