import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DomainError } from '@weft/contracts';
import { ConsoleAuthGuard, CurrentConsoleUser, type ConsoleUser } from '../accounts/console-auth.guard';
import { toApiKeyResponse } from '../apps/app.dto';
import { AppRepository } from '../apps/app.repository';

const EDIT_ROLES = new Set(['owner', 'admin', 'editor']);

/** The console's dataset keys: workspace-wide Knowledge API keys, shown once, stored hashed, revocable. */
@Controller('console/api/datasets/api-keys')
@UseGuards(ConsoleAuthGuard)
export class DatasetKeyController {
  constructor(private readonly apps: AppRepository) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    if (!EDIT_ROLES.has(user.role)) throw new DomainError('forbidden', 'Your role in this workspace does not allow this action.');
    const token = `dataset-${randomBytes(24).toString('base64url')}`;
    const key = await this.apps.createKey(user.workspaceId, null, 'dataset', token, user.accountId);
    return { created_at: Math.floor(key.createdAt.getTime() / 1000), id: key.id, last_used_at: null, token, type: 'dataset' };
  }

  @Get()
  async list(@CurrentConsoleUser() user: ConsoleUser): Promise<unknown> {
    return { data: (await this.apps.listDatasetKeys(user.workspaceId)).map(toApiKeyResponse) };
  }

  @Delete(':keyId')
  @HttpCode(204)
  async revoke(@CurrentConsoleUser() user: ConsoleUser, @Param('keyId') keyId: string): Promise<void> {
    if (!EDIT_ROLES.has(user.role)) throw new DomainError('forbidden', 'Your role in this workspace does not allow this action.');
    if (!(await this.apps.deleteKey(user.workspaceId, null, keyId))) throw new DomainError('not_found', 'API key not found.');
  }
}
