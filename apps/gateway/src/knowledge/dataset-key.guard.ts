import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import type { Request } from 'express';
import { AppRepository } from '../apps/app.repository';

/** The workspace a Knowledge API call acts on, from its `dataset-…` key. */
export interface DatasetKeyContext {
  accountId: string | null;
  keyId: string;
  workspaceId: string;
}

type WithDatasetKey = Request & { datasetKey?: DatasetKeyContext };

/** How long a key lookup is trusted; revoking a key takes effect on every replica within this time. */
const CACHE_TTL_MS = 5000;
const CACHE_MAX = 10_000;

/** Knowledge API authentication with a workspace's dataset key (`Authorization: Bearer dataset-…`), cached for a few seconds. */
@Injectable()
export class DatasetKeyGuard implements CanActivate {
  private readonly cache = new Map<string, { expires: number; value: DatasetKeyContext | null }>();

  constructor(private readonly apps: AppRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WithDatasetKey>();
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ')) throw new DomainError('unauthorized', "Authorization header must be provided and start with 'Bearer'");
    const token = header.slice(7).trim();
    const found = token.startsWith('dataset-') ? await this.lookup(token) : null;
    if (!found) throw new DomainError('unauthorized', 'Access token is invalid');
    req.datasetKey = found;
    return true;
  }

  private async lookup(token: string): Promise<DatasetKeyContext | null> {
    const hit = this.cache.get(token);
    if (hit && hit.expires > Date.now()) return hit.value;
    const row = await this.apps.findDatasetKey(token);
    const value = row ? { accountId: row.createdBy, keyId: row.keyId, workspaceId: row.workspaceId } : null;
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(token, { expires: Date.now() + CACHE_TTL_MS, value });
    if (row) void this.apps.touchKeys([row.keyId]).catch(() => undefined);
    return value;
  }
}

/** The `DatasetKeyContext` that `DatasetKeyGuard` put on the request. */
export const CurrentDatasetKey = createParamDecorator((_: unknown, ctx: ExecutionContext): DatasetKeyContext => {
  const found = ctx.switchToHttp().getRequest<WithDatasetKey>().datasetKey;
  if (!found) throw new DomainError('unauthorized', 'Access token is invalid');
  return found;
});
