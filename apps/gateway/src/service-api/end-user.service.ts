import { Injectable } from '@nestjs/common';
import { isUuid } from '@weft/contracts';
import { AppRepository } from '../apps/app.repository';
import type { AppKeyContext } from './app-key.guard';
import { toEndUserDetail, type EndUserDetail } from './end-user.dto';
import { EndUserErrors } from './end-user.exception';

const CACHE_MAX = 50_000;

/**
 * Maps an app's `user` strings to end-user ids, creating each once; ids never change, so they are cached.
 * Also answers `GET /v1/end-users/{id}`, for the app behind the key only.
 */
@Injectable()
export class EndUserService {
  private readonly cache = new Map<string, string>();

  constructor(private readonly apps: AppRepository) {}

  async resolve(workspaceId: string, appId: string, user: string): Promise<string> {
    const key = `${appId}\u0000${user}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const id = await this.apps.endUser(workspaceId, appId, user);
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, id);
    return id;
  }

  /** One end user of the key's app; an end user of another app or workspace is not found, as in Dify. */
  async detail(ctx: AppKeyContext, endUserId: string): Promise<EndUserDetail> {
    if (!isUuid(endUserId)) throw EndUserErrors.malformedId();
    const row = await this.apps.findEndUser(ctx.app.workspaceId, ctx.app.id, endUserId);
    if (!row) throw EndUserErrors.notFound();
    return toEndUserDetail(row);
  }
}
