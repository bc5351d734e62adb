import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import { RedisService } from '@weft/persistence';
import { RAG_CONFIG, type RagConfig } from '../rag.config';

const LOCAL_MAX_ENTRIES = 2000;
const generationKey = (datasetId: string) => `kb:gen:${datasetId}`;

interface LocalEntry {
  datasetIds: string[];
  expiresAt: number;
  value: unknown;
}

/**
 * The two-level retrieval cache: an in-process LRU with a TTL in front of Redis, shared by every rag
 * replica. Keys carry each dataset's generation (a Redis counter bumped on every change), so a change
 * makes old entries unreachable everywhere at once; the `kb.dataset.changed.v1` broadcast also drops
 * them from every replica's memory right away. When Redis is down the cache is skipped, never trusted.
 */
@Injectable()
export class RetrievalCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RetrievalCache.name);
  private readonly local = new Map<string, LocalEntry>();
  private readonly generations = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;
  private readonly ttlMs: number;

  constructor(
    @Inject(RAG_CONFIG) config: RagConfig,
    private readonly redis: RedisService,
    private readonly bus: MessageBus,
  ) {
    this.ttlMs = config.retrieval.cacheTtlSeconds * 1000;
  }

  onModuleInit(): void {
    void this.bus.start().then(() => {
      this.unsubscribe = this.bus.listen('kb.dataset.changed.v1', null, ({ datasetId }) => this.forgetLocally(datasetId));
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The cached value for these datasets and this request, computing (and storing) it on a miss. */
  async getOrCompute<T>(datasetIds: string[], request: unknown, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    const key = await this.key(datasetIds, request);
    if (key === null) return compute();
    const hit = this.local.get(key);
    if (hit && hit.expiresAt > Date.now()) {
      this.local.delete(key);
      this.local.set(key, hit);
      return hit.value as T;
    }
    const shared = await this.redis.client.get(key).catch(() => null);
    if (shared !== null) {
      const value = JSON.parse(shared) as T;
      this.remember(key, datasetIds, value);
      return value;
    }
    const value = await compute();
    this.remember(key, datasetIds, value);
    await this.redis.client.set(key, JSON.stringify(value), 'PX', this.ttlMs).catch(() => undefined);
    return value;
  }

  /** Makes every cached retrieval of the dataset unreachable on all replicas (called on every change). */
  async invalidate(datasetId: string): Promise<void> {
    this.forgetLocally(datasetId);
    await this.redis.client
      .incr(generationKey(datasetId))
      .catch((error: unknown) =>
        this.logger.warn(`Could not bump the cache generation of dataset "${datasetId}": ${(error as Error).message}`),
      );
  }

  private forgetLocally(datasetId: string): void {
    this.generations.delete(datasetId);
    for (const [key, entry] of this.local) if (entry.datasetIds.includes(datasetId)) this.local.delete(key);
  }

  private remember(key: string, datasetIds: string[], value: unknown): void {
    if (this.local.size >= LOCAL_MAX_ENTRIES) this.local.delete(this.local.keys().next().value as string);
    this.local.set(key, { datasetIds, expiresAt: Date.now() + this.ttlMs, value });
  }

  /** The cache key, or null when the generations cannot be read (then nothing is cached). */
  private async key(datasetIds: string[], request: unknown): Promise<string | null> {
    const sorted = [...new Set(datasetIds)].sort();
    const unknown = sorted.filter((id) => !this.generations.has(id));
    if (unknown.length > 0) {
      try {
        const values = await this.redis.client.mget(...unknown.map(generationKey));
        unknown.forEach((id, i) => this.generations.set(id, Number(values[i] ?? 0)));
      } catch {
        return null;
      }
    }
    const generations = sorted.map((id) => `${id}@${this.generations.get(id)}`).join(',');
    return `kb:r:${createHash('sha256')
      .update(`${generations}|${JSON.stringify(request)}`)
      .digest('hex')}`;
  }
}
