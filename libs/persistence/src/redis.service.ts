import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis, { type RedisOptions as ClientOptions } from 'ioredis';

export interface RedisOptions {
  url: string;
  keyPrefix: string;
  connectionName: string;
  /** Sentinel addresses (`redis://[:password@]host:port`); when given, the primary is found through them. */
  sentinels?: readonly string[];
  /** The name the Sentinels monitor the primary under. */
  sentinelMaster?: string;
}

/**
 * How to reach Redis: `url` alone, or through Sentinels, which name the current primary and tell the client
 * when another replica was promoted (the client then reconnects to it). With Sentinels, `url` still gives the
 * primary's password, user and database number.
 */
export function redisClientOptions(options: RedisOptions): { url?: string; options: ClientOptions } {
  const common: ClientOptions = {
    keyPrefix: options.keyPrefix,
    connectionName: options.connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(250 * 2 ** Math.min(attempt, 5), 5000),
    // A former primary that came back as a replica refuses writes: reconnect, to whichever is primary now.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  };
  if (!options.sentinels?.length) return { url: options.url, options: common };
  const primary = new URL(options.url);
  const sentinels = options.sentinels.map((s) => new URL(s));
  const sentinelPassword = sentinels.find((s) => s.password)?.password;
  return {
    options: {
      ...common,
      sentinels: sentinels.map((s) => ({ host: s.hostname, port: Number(s.port || 26379) })),
      name: options.sentinelMaster ?? 'weft',
      ...(primary.username ? { username: decodeURIComponent(primary.username) } : {}),
      ...(primary.password ? { password: decodeURIComponent(primary.password) } : {}),
      ...(sentinelPassword ? { sentinelPassword: decodeURIComponent(sentinelPassword) } : {}),
      db: Number(primary.pathname.slice(1) || 0),
      // Listen for the Sentinels' +switch-master, so a failover is followed at once rather than on the next error.
      failoverDetector: true,
    },
  };
}

export const REDIS_OPTIONS = Symbol('REDIS_OPTIONS');

/**
 * The service's Redis client. It reconnects for ever in the background and fails commands fast while
 * disconnected (no offline queue), so callers see an error instead of hanging; with Sentinels it follows the
 * primary through a failover.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  private wasReady = false;

  constructor(@Inject(REDIS_OPTIONS) private readonly options: RedisOptions) {
    const how = redisClientOptions(options);
    this.client = how.url === undefined ? new Redis(how.options) : new Redis(how.url, how.options);
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
    await this.client.quit().catch(() => undefined);
    // Also ends what QUIT leaves open: with Sentinels, the connections that watch for a failover.
    this.client.disconnect();
  }
}
