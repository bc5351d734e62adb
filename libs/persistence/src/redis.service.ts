import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

export interface RedisOptions {
  url: string;
  keyPrefix: string;
  connectionName: string;
}

export const REDIS_OPTIONS = Symbol('REDIS_OPTIONS');

/**
 * The service's Redis client. It reconnects for ever in the background and fails commands fast while
 * disconnected (no offline queue), so callers see an error instead of hanging.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  private wasReady = false;

  constructor(@Inject(REDIS_OPTIONS) private readonly options: RedisOptions) {
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      connectionName: options.connectionName,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(250 * 2 ** Math.min(attempt, 5), 5000),
    });
    this.client.on('ready', () => {
      this.wasReady = true;
      this.logger.log(`Connected to Redis`);
    });
    this.client.on('error', (error: Error) => {
      if (this.wasReady) this.logger.warn(`Redis error: ${error.message}`);
    });
  }

  /** Whether Redis answers PING right now. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    if (this.client.status !== 'ready') return false;
    try {
      const answer = await Promise.race([
        this.client.ping(),
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
