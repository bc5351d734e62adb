import { ConfigValidationError, developmentSecretsRefused, loadConfig, maskConfig, weakProductionSecrets } from './load-config';
import { env } from './config-var';
import { complianceConfigSpec, gatewayConfigSpec, nodeRunnerConfigSpec, orchestratorConfigSpec, ragConfigSpec } from './services.config';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig('gateway', gatewayConfigSpec, {});
    expect(config.http.port).toBe(5001);
    expect(config.database.poolMax).toBe(20);
    expect(config.database.readUrls).toEqual([]);
    expect(config.nats.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(config.logging.level).toBe('info');
    expect(config.systemStatus.token).toBeUndefined();
  });

  it('parses typed values from text', () => {
    const config = loadConfig('gateway', gatewayConfigSpec, {
      GATEWAY_PORT: '6001',
      DATABASE_READ_URLS: 'postgres://a@h1/db, postgres://b@h2/db',
      LOG_PRETTY: 'yes',
      READY_DISK_THRESHOLD: '0.8',
      NATS_URL: 'nats://n1:4222,nats://n2:4222',
    });
    expect(config.http.port).toBe(6001);
    expect(config.database.readUrls).toEqual(['postgres://a@h1/db', 'postgres://b@h2/db']);
    expect(config.logging.pretty).toBe(true);
    expect(config.runtime.diskThreshold).toBe(0.8);
    expect(config.nats.servers).toHaveLength(2);
  });

  it.each([
    ['GATEWAY_PORT', 'abc', /GATEWAY_PORT is invalid: expected a TCP port from 1 to 65535, got "abc"/],
    ['GATEWAY_PORT', '70000', /GATEWAY_PORT is invalid: expected a TCP port/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL is invalid: expected a URL starting with postgres:\/\/ or postgresql:\/\//],
    ['DATABASE_URL', 'not a url', /DATABASE_URL is invalid/],
    ['DATABASE_READ_URLS', 'postgres://ok/db,http://bad', /DATABASE_READ_URLS is invalid/],
    ['DATABASE_POOL_MAX', '0', /DATABASE_POOL_MAX is invalid: expected an integer from 1 to 500, got "0"/],
    ['DATABASE_POOL_MAX', '2.5', /DATABASE_POOL_MAX is invalid/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL is invalid: expected one of fatal, error, warn, info, debug, trace, silent/],
    ['LOG_PRETTY', 'maybe', /LOG_PRETTY is invalid: expected true or false/],
    ['READY_DISK_THRESHOLD', '1.5', /READY_DISK_THRESHOLD is invalid: expected a number from 0.01 to 1/],
    ['REDIS_URL', 'http://localhost', /REDIS_URL is invalid: expected a URL starting with redis:\/\/ or rediss:\/\//],
    ['NATS_URL', 'localhost:4222', /NATS_URL is invalid/],
  ])('names %s when it is %j', (name, value, message) => {
    const problems = problemsOf(() => loadConfig('gateway', gatewayConfigSpec, { [name]: value }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('names a missing required variable and what it expects', () => {
    const spec = { secret: env.string('SOME_KEY', { doc: 'the key', minLength: 16 }) };
    const problems = problemsOf(() => loadConfig('svc', spec, {}));
    expect(problems).toEqual(['SOME_KEY is missing: expected a string of at least 16 characters (the key)']);
  });

  it('lists every bad variable in one message', () => {
    let message = '';
    try {
      loadConfig('gateway', gatewayConfigSpec, { GATEWAY_PORT: 'x', LOG_LEVEL: 'y', DATABASE_URL: 'z' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration for gateway:/);
    expect(message).toContain('GATEWAY_PORT');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('DATABASE_URL');
  });

  it('never echoes the value of an invalid secret', () => {
    const spec = { key: env.int('SECRET_NUMBER', { doc: 'x', secret: true }) };
    const problems = problemsOf(() => loadConfig('svc', spec, { SECRET_NUMBER: 'hunter2' }));
    expect(problems[0]).toContain('(a secret value, not shown)');
    expect(problems[0]).not.toContain('hunter2');
  });

  it('has no database settings for the node runner', () => {
    const config = loadConfig('node-runner', nodeRunnerConfigSpec, { DATABASE_URL: 'garbage' });
    expect(config).not.toHaveProperty('database');
  });
});

describe('maskConfig', () => {
  it('masks secrets and passwords inside URLs', () => {
    const source = {
      DATABASE_URL: 'postgres://weft:s3cret@db:5432/weft',
      DATABASE_READ_URLS: 'postgres://r:pw2@replica/weft',
      SYSTEM_STATUS_TOKEN: 'tok-123',
      SENTRY_DSN: 'https://key@sentry.example/1',
    };
    const masked = maskConfig(gatewayConfigSpec, loadConfig('gateway', gatewayConfigSpec, source));
    const text = JSON.stringify(masked);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('pw2');
    expect(text).not.toContain('tok-123');
    expect(text).not.toContain('key@sentry');
    expect(masked.DATABASE_URL).toBe('postgres://weft:******@db:5432/weft');
    expect(masked.SYSTEM_STATUS_TOKEN).toBe('******');
    expect(masked.GATEWAY_PORT).toBe(5001);
  });

  describe('encryption keys', () => {
    const material = 'm'.repeat(32);

    it('parses id:material pairs in order and leaves the current id to default', () => {
      const config = loadConfig('gateway', gatewayConfigSpec, { ENCRYPTION_KEYS: `k1:${material}, k2:${material}:with:colons` });
      expect(config.security.encryptionKeys).toEqual({ k1: material, k2: `${material}:with:colons` });
      expect(config.security.encryptionCurrentKeyId).toBeUndefined();
      expect(loadConfig('gateway', gatewayConfigSpec, {}).security.encryptionKeys).toEqual({});
    });

    it.each([
      [
        'short material',
        { ENCRYPTION_KEYS: 'k1:too-short' },
        /ENCRYPTION_KEYS is invalid: expected comma-separated `id:material` pairs.*at least 32 characters.*got \(a secret value, not shown\)/,
      ],
      ['a missing id', { ENCRYPTION_KEYS: `:${material}` }, /ENCRYPTION_KEYS is invalid/],
      ['a repeated id', { ENCRYPTION_KEYS: `k1:${material},k1:${material}` }, /ENCRYPTION_KEYS is invalid/],
      [
        'an unknown current id',
        { ENCRYPTION_KEYS: `k1:${material}`, ENCRYPTION_CURRENT_KEY_ID: 'k2' },
        /ENCRYPTION_CURRENT_KEY_ID is invalid: no key with id "k2"; the known ids are k1/,
      ],
      [
        'a current id other than k1 without keys',
        { ENCRYPTION_CURRENT_KEY_ID: 'k2' },
        /ENCRYPTION_CURRENT_KEY_ID is invalid: no key with id "k2"; the known ids are k1/,
      ],
    ])('names %s', (_what, environment, message) => {
      const problems = problemsOf(() => loadConfig('orchestrator', orchestratorConfigSpec, environment));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(message);
      expect(problems[0]).not.toContain(material);
    });
  });
});

describe('developmentSecretsRefused', () => {
  const production = { NODE_ENV: 'production' };
  it('in production, names secret variables left at their development default, and nothing once they are set', () => {
    expect(developmentSecretsRefused(complianceConfigSpec, production)).toEqual(['SECRET_KEY']);
    expect(developmentSecretsRefused(complianceConfigSpec, { ...production, SECRET_KEY: '' })).toEqual(['SECRET_KEY']);
    expect(developmentSecretsRefused(complianceConfigSpec, { ...production, SECRET_KEY: 'a-long-random-value-0123456789abcdef' })).toEqual(
      [],
    );
    // A service whose schema has no such secret has none to name; rag reads SECRET_KEY (job grants) and names it.
    expect(developmentSecretsRefused(nodeRunnerConfigSpec, production)).toEqual([]);
    expect(developmentSecretsRefused(ragConfigSpec, production)).toEqual(['SECRET_KEY']);
  });

  it('refuses nothing outside production (development and tests run on the defaults)', () => {
    expect(developmentSecretsRefused(complianceConfigSpec, {})).toEqual([]);
    expect(developmentSecretsRefused(complianceConfigSpec, { NODE_ENV: 'test' })).toEqual([]);
  });
});

describe('weakProductionSecrets', () => {
  const production = { NODE_ENV: 'production' };
  it('in production, refuses a SECRET_KEY shorter than 32 characters or too repetitive to be random', () => {
    for (const weak of ['short-but-set', 'a'.repeat(64), '12121212121212121212121212121212', 'abcdefghij'.repeat(4)]) {
      expect([weak, weakProductionSecrets(gatewayConfigSpec, { ...production, SECRET_KEY: weak })]).toEqual([
        weak,
        [expect.stringMatching(/^SECRET_KEY must be at least 32 random characters in production/)],
      ]);
    }
    expect(weakProductionSecrets(gatewayConfigSpec, { ...production, SECRET_KEY: 'q8Vd2LrX9zKp4mWn7TbYc1HsJe6GfUa0' })).toEqual([]);
    // Unset is the development default, which developmentSecretsRefused names.
    expect(weakProductionSecrets(gatewayConfigSpec, production)).toEqual([]);
  });

  it('refuses nothing outside production', () => {
    expect(weakProductionSecrets(gatewayConfigSpec, { NODE_ENV: 'test', SECRET_KEY: 'short' })).toEqual([]);
  });
});
