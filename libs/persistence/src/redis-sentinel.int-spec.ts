import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil } from '@weft/testing';
import Redis from 'ioredis';
import { RedisService } from './redis.service';

/**
 * Redis with a replica and Sentinel, as production can run it: a primary, a replica and a Sentinel started
 * here from the same redis-server binary; the service's client connects through the Sentinel, the primary is
 * killed, and the client goes on against the promoted replica by itself, with what it had written.
 */
describe('RedisService through Redis Sentinel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sentinel-'));
  const processes: ChildProcess[] = [];
  let primary: ChildProcess;
  let ports: { primary: number; replica: number; sentinel: number };
  let service: RedisService;

  const redisServer = (args: string[]) => {
    const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
    processes.push(child);
    return child;
  };
  const roleOf = async (port: number) => {
    const probe = new Redis({ lazyConnect: true, port, retryStrategy: () => null });
    try {
      await probe.connect();
      return ((await probe.call('ROLE')) as string[])[0];
    } catch {
      return 'down';
    } finally {
      probe.disconnect();
    }
  };

  /** A replica's `master_link_status` (up once its first sync is done). */
  const linkOf = async (port: number) => {
    const probe = new Redis({ lazyConnect: true, port, retryStrategy: () => null });
    try {
      await probe.connect();
      return /master_link_status:(\w+)/.exec(await probe.info('replication'))?.[1] ?? 'none';
    } catch {
      return 'down';
    } finally {
      probe.disconnect();
    }
  };

  beforeAll(async () => {
    ports = { primary: await freePort(), replica: await freePort(), sentinel: await freePort() };
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    // No wait before the first sync (the default waits 5 s for more replicas to join).
    primary = redisServer([...common, '--port', String(ports.primary), '--dbfilename', 'primary.rdb', '--repl-diskless-sync-delay', '0']);
    redisServer([
      ...common,
      '--port',
      String(ports.replica),
      '--dbfilename',
      'replica.rdb',
      '--replicaof',
      '127.0.0.1',
      String(ports.primary),
    ]);
    await pollUntil(async () => ((await linkOf(ports.replica)) === 'up' ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the replica to finish its first sync with the primary',
    });
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${ports.sentinel}`,
        'bind 127.0.0.1',
        `sentinel monitor weft 127.0.0.1 ${ports.primary} 1`,
        'sentinel down-after-milliseconds weft 1000',
        'sentinel failover-timeout weft 5000',
        'sentinel parallel-syncs weft 1',
        '',
      ].join('\n'),
    );
    redisServer([conf, '--sentinel']);
    await pollUntil(async () => ((await roleOf(ports.sentinel)) === 'sentinel' ? true : undefined), { what: 'the Sentinel to answer' });
    service = new RedisService({
      connectionName: 'sentinel-test',
      keyPrefix: 'weft-sentinel-test:',
      sentinelMaster: 'weft',
      sentinels: [`redis://127.0.0.1:${ports.sentinel}`],
      url: 'redis://unused-with-sentinels:6379/0',
    });
    await pollUntil(() => (service.client.status === 'ready' ? true : undefined), { what: 'the client to reach the primary' });
  }, 60_000);

  afterAll(async () => {
    await service?.onApplicationShutdown();
    for (const child of processes) child.kill('SIGKILL');
    rmSync(dir, { force: true, recursive: true });
  });

  it('finds the primary through the Sentinel and follows the failover when the primary dies', async () => {
    await service.client.set('before', 'kept');
    // The client talks to the primary the Sentinel named, not to the replica.
    expect(await service.client.call('ROLE')).toEqual(expect.arrayContaining(['master']));
    // The replica has it before the primary goes (WAIT: one replica acknowledged).
    expect(await service.client.wait(1, 10_000)).toBe(1);

    primary.kill('SIGKILL');
    await pollUntil(async () => ((await roleOf(ports.replica)) === 'master' ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the Sentinel to promote the replica',
    });
    // Writes go on, against the promoted replica, with what was written before; no restart of the client.
    await pollUntil(
      async () => {
        try {
          await service.client.set('after', 'written');
          return true;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 30_000, what: 'the client to write to the new primary' },
    );
    expect(await service.client.get('before')).toBe('kept');
    expect(await service.client.get('after')).toBe('written');
    expect(await service.ping()).toBe(true);
    const direct = new Redis({ port: ports.replica });
    try {
      expect(await direct.get('weft-sentinel-test:after')).toBe('written');
    } finally {
      direct.disconnect();
    }
  }, 90_000);
});
