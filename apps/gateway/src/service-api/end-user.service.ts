import { Injectable } from '@nestjs/common';
import { AppRepository } from '../apps/app.repository';

const CACHE_MAX = 50_000;

/** Maps an app's `user` strings to end-user ids, creating each once; ids never change, so they are cached. */
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
}
