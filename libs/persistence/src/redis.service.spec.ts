import { redisClientOptions } from './redis.service';

describe('redisClientOptions', () => {
  const base = { connectionName: 'gateway', keyPrefix: 'weft:' };

  it('connects to REDIS_URL when no Sentinel is named', () => {
    const how = redisClientOptions({ ...base, sentinels: [], url: 'redis://:pw@cache:6379/2' });
    expect(how.url).toBe('redis://:pw@cache:6379/2');
    expect(how.options).not.toHaveProperty('sentinels');
    expect(how.options.keyPrefix).toBe('weft:');
  });

  it("asks the Sentinels for the primary, keeping REDIS_URL's credentials and database", () => {
    const how = redisClientOptions({
      ...base,
      sentinelMaster: 'weft-prod',
      sentinels: ['redis://:s3cret@sentinel-0:26380', 'redis://sentinel-1'],
      url: 'redis://app:p%40ss@ignored:6379/3',
    });
    expect(how.url).toBeUndefined();
    expect(how.options).toMatchObject({
      db: 3,
      enableOfflineQueue: false,
      failoverDetector: true,
      keyPrefix: 'weft:',
      name: 'weft-prod',
      password: 'p@ss',
      sentinelPassword: 's3cret',
      sentinels: [
        { host: 'sentinel-0', port: 26380 },
        { host: 'sentinel-1', port: 26379 },
      ],
      username: 'app',
    });
  });

  it('reconnects when a former primary refuses writes as a replica', () => {
    const { reconnectOnError } = redisClientOptions({ ...base, url: 'redis://x' }).options;
    expect(reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnectOnError?.(new Error('ERR wrong number of arguments'))).toBe(false);
  });
});
