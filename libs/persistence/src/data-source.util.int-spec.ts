import { createEmptyDatabase, queryDatabase, type TestDatabase } from '@weft/testing';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source.util';
import type { DatabaseConfig } from './persistence.types';

// Postgres going away (a restart, a failover, an operator's pg_terminate_backend) ends every session with
// FATAL 57P01. The chaos test (`node scripts/chaos/run.mjs --dependencies`) once crashed the gateway that way:
// `pg` emitted 'error' on a pool connection at an instant nobody listened. These tests end sessions in every
// state they could think of and require the process to survive and the pool to recover. They do not
// reproduce that exact instant (they pass without ResilientPgClient too); the chaos test is what caught it.
describe('buildDataSourceOptions: a service survives its Postgres sessions being ended (real Postgres)', () => {
  let db: TestDatabase;
  let source: DataSource;
  const uncaught: Error[] = [];
  const onUncaught = (error: Error): void => {
    uncaught.push(error);
  };

  beforeAll(async () => {
    db = await createEmptyDatabase();
    const database = {
      url: db.url,
      readUrls: [],
      poolMax: 4,
      poolIdleTimeoutMs: 30_000,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 10_000,
    } as unknown as DatabaseConfig;
    source = new DataSource(buildDataSourceOptions({ schema: 'public', entities: [], migrations: [] }, database, 'weft-int-terminate'));
    await source.initialize();
    // Jest turns an uncaught exception into a failure of some test, not necessarily this one: catch it here.
    process.prependListener('uncaughtException', onUncaught);
  });

  afterAll(async () => {
    process.removeListener('uncaughtException', onUncaught);
    await source?.destroy().catch(() => undefined);
    await db?.drop();
  });

  const terminate = async (pid: number): Promise<void> => {
    await queryDatabase(db.url, 'SELECT pg_terminate_backend($1)', [pid]);
    await new Promise((resolve) => setTimeout(resolve, 300));
  };

  it('a session ended inside a transaction fails that transaction, not the process, and the pool recovers', async () => {
    const runner = source.createQueryRunner('master');
    await runner.connect();
    await runner.startTransaction();
    const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    await terminate(pid);
    await expect(runner.query('SELECT 1')).rejects.toThrow();
    await runner.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(uncaught.map((e) => e.message)).toEqual([]);
    expect(await source.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('idle sessions ended all at once (a restart) leave the pool usable', async () => {
    await Promise.all([source.query('SELECT pg_sleep(0.05)'), source.query('SELECT pg_sleep(0.05)')]);
    await queryDatabase(db.url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'weft-int-terminate'`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(uncaught.map((e) => e.message)).toEqual([]);
    expect(await source.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('sessions ended under load (transactions, single queries, checkouts in flight) fail requests, not the process', async () => {
    let stop = false;
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    const load = Array.from({ length: 8 }, async (_, i) => {
      while (!stop) {
        await (
          i % 2 === 0
            ? source.transaction(async (m) => {
                await m.query('SELECT 1');
                await sleep(5);
                await m.query('SELECT 2');
              })
            : source.query('SELECT pg_sleep(0.005)')
        ).catch(() => undefined);
      }
    });
    for (let round = 0; round < 10; round++) {
      await sleep(50);
      await queryDatabase(db.url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'weft-int-terminate'`);
    }
    stop = true;
    await Promise.all(load);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(uncaught.map((e) => e.message)).toEqual([]);
    expect(await source.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
