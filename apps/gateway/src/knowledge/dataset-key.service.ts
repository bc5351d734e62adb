import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditService } from '@weft/audit';
import { AuthErrors } from '@weft/contracts';
import type { RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { toApiKeyResponse, type ApiKeyListSchema, type CreatedApiKeySchema } from '../apps/app.dto';
import { AppRepository } from '../apps/app.repository';
import { ApiKeyCache } from '../service-api/api-key-cache.service';

/** Workspace-wide Knowledge API keys (`dataset-…`): shown once, stored hashed, revocable, every change audited. */
@Injectable()
export class DatasetKeyService {
  constructor(
    private readonly apps: AppRepository,
    private readonly keyCache: ApiKeyCache,
    private readonly audit: AuditService,
  ) {}

  /** A new key; the answer is the only one that carries the whole token. */
  async create(user: ConsoleUser, client: RequestClientInfo): Promise<z.infer<typeof CreatedApiKeySchema>> {
    const token = `dataset-${randomBytes(24).toString('base64url')}`;
    const key = await this.apps.createKey(user.workspaceId, null, 'dataset', token, user.accountId);
    this.record(user, 'api_key.created', key.id, client);
    return { created_at: Math.floor(key.createdAt.getTime() / 1000), id: key.id, last_used_at: null, token, type: 'dataset' };
  }

  async list(user: ConsoleUser): Promise<z.infer<typeof ApiKeyListSchema>> {
    return { data: (await this.apps.listDatasetKeys(user.workspaceId)).map(toApiKeyResponse) };
  }

  /** Deletes the key and tells every gateway to forget it at once (404 for a key not in the workspace). */
  async revoke(user: ConsoleUser, keyId: string, client: RequestClientInfo): Promise<void> {
    if (!(await this.apps.deleteKey(user.workspaceId, null, keyId))) throw AuthErrors.apiKeyNotFound();
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
