import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { RequestClient, type RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import { ConsoleAuthGuard, CurrentConsoleUser, RequireRole, type ConsoleUser } from '../accounts/console-auth.guard';
import { ApiKeyListSchema, CreatedApiKeySchema } from '../apps/app.dto';
import { Returns } from '../docs/route-schema.util';
import { DatasetKeyService } from './dataset-key.service';

/**
 * The console's dataset keys: workspace-wide Knowledge API keys, shown once, stored hashed, revocable; admins
 * and the owner manage them (as in Dify).
 */
@Controller('console/api/datasets/api-keys')
@UseGuards(ConsoleAuthGuard)
export class DatasetKeyController {
  constructor(private readonly keys: DatasetKeyService) {}

  @Post()
  @RequireRole('admin')
  @HttpCode(201)
  @Returns(CreatedApiKeySchema)
  create(
    @CurrentConsoleUser() user: ConsoleUser,
    @RequestClient() client: RequestClientInfo,
  ): Promise<z.infer<typeof CreatedApiKeySchema>> {
    return this.keys.create(user, client);
  }

  @Get()
  @RequireRole('admin')
  @Returns(ApiKeyListSchema)
  list(@CurrentConsoleUser() user: ConsoleUser): Promise<z.infer<typeof ApiKeyListSchema>> {
    return this.keys.list(user);
  }

  @Delete(':keyId')
  @RequireRole('admin')
  @HttpCode(204)
  @Returns(null)
  revoke(
    @CurrentConsoleUser() user: ConsoleUser,
    @Param('keyId') keyId: string,
    @RequestClient() client: RequestClientInfo,
  ): Promise<void> {
    return this.keys.revoke(user, keyId, client);
  }
}
