import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { AuthErrors } from '@weft/contracts';
import type { Request, Response } from 'express';
import { AppRepository } from '../apps/app.repository';
import { RateLimitService } from '../protection/rate-limit.service';
import { ApiKeyCache } from '../service-api/api-key-cache.service';

/** The workspace a Knowledge API call acts on, from its `dataset-…` key. */
export interface DatasetKeyContext {
  accountId: string | null;
  keyId: string;
  workspaceId: string;
}

type WithDatasetKey = Request & { datasetKey?: DatasetKeyContext };

/** Knowledge API authentication with a workspace's dataset key (`Authorization: Bearer dataset-…`), cached by ApiKeyCache. */
@Injectable()
export class DatasetKeyGuard implements CanActivate {
  constructor(
    private readonly apps: AppRepository,
    private readonly cache: ApiKeyCache,
    private readonly limiter: RateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WithDatasetKey>();
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ')) {
      await this.limiter.admitUnauthenticated(req, context.switchToHttp().getResponse<Response>());
      throw AuthErrors.bearerMissing();
    }
    const token = header.slice(7).trim();
    const found = token.startsWith('dataset-') ? await this.lookup(token) : null;
    if (!found) {
      // Made-up keys count against the caller's address, so guessing keys is rate limited too.
      await this.limiter.admitUnauthenticated(req, context.switchToHttp().getResponse<Response>());
      throw AuthErrors.apiKeyInvalid();
    }
    req.datasetKey = found;
    return true;
  }

  private lookup(token: string): Promise<DatasetKeyContext | null> {
    return this.cache.lookup(
      token,
      async () => {
        const row = await this.apps.findDatasetKey(token);
        if (row) void this.apps.touchKeys([row.keyId]).catch(() => undefined);
        return row ? { accountId: row.createdBy, keyId: row.keyId, workspaceId: row.workspaceId } : null;
      },
      (found) => found.keyId,
    );
  }
}

/** The `DatasetKeyContext` that `DatasetKeyGuard` put on the request. */
export const CurrentDatasetKey = createParamDecorator((_: unknown, ctx: ExecutionContext): DatasetKeyContext => {
  const found = ctx.switchToHttp().getRequest<WithDatasetKey>().datasetKey;
  if (!found) throw AuthErrors.apiKeyInvalid();
  return found;
});
