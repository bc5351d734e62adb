import { databaseConfig, loadConfig } from '@weft/config';
import { createEmptyDatabase, queryDatabase, type TestDatabase } from '@weft/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source.util';
import { inShortTransaction } from './short-transaction.util';

describe('inShortTransaction (real Postgres)', () => {
  let db: TestDatabase;
  let source: DataSource;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    const database = loadConfig('test', databaseConfig, { DATABASE_URL: db.url, DATABASE_POOL_MAX: '2' });
    source = new DataSource(buildDataSourceOptions({ schema: 'public', entities: [], migrations: [] }, database, 'weft-int-short-tx'));
    await source.initialize();
    await source.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)');
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await source?.destroy().catch(() => undefined);
    await db?.drop();
  });

  const current = async (): Promise<number> => (await queryDatabase<{ n: number }>(db.url, 'SELECT n FROM counter WHERE id = 1'))[0].n;

  it('sends BEGIN with the opening statement in one message, then the work, then COMMIT', async () => {
    const sent = jest.spyOn(Client.prototype, 'query');
    const result = await inShortTransaction(source, 'SELECT n FROM counter WHERE id = 1 FOR UPDATE', async ([row], query) => {
      const [updated] = await query('UPDATE counter SET n = $1 WHERE id = 1 RETURNING n', [Number(row.n) + 1]);
      return updated.n;
    });
    const statements = sent.mock.calls.map(([sql]) => String(sql));
    expect(result).toBe(await current());
    expect(statements).toEqual([
      'BEGIN; SELECT n FROM counter WHERE id = 1 FOR UPDATE',
      'UPDATE counter SET n = $1 WHERE id = 1 RETURNING n',
      'COMMIT',
    ]);
  });

  it('holds the opening lock for the whole transaction: concurrent increments lose nothing', async () => {
    const before = await current();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        inShortTransaction(source, 'SELECT n FROM counter WHERE id = 1 FOR UPDATE', async ([row], query) => {
          await new Promise((resolve) => setImmediate(resolve));
          await query('UPDATE counter SET n = $1 WHERE id = 1', [Number(row.n) + 1]);
        }),
      ),
    );
    expect(await current()).toBe(before + 20);
  });

  it('rolls back and rethrows when the work fails, and the connection goes back to the pool usable', async () => {
    const before = await current();
    const failure = new Error('work failed');
    await expect(
      inShortTransaction(source, 'SELECT n FROM counter WHERE id = 1 FOR UPDATE', async (_rows, query) => {
        await query('UPDATE counter SET n = n + 100 WHERE id = 1');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await current()).toBe(before);
    // Both pooled connections are lent again; neither is stuck in the failed transaction.
    const states = await Promise.all(
      [0, 1].map(() =>
        inShortTransaction(source, 'SELECT 1', (_rows, query) => query("SELECT current_setting('transaction_isolation') AS t")),
      ),
    );
    expect(states.map(([r]) => r.t)).toEqual(['read committed', 'read committed']);
  });

  it('rolls back when a statement fails, opening included', async () => {
    const before = await current();
    await expect(
      inShortTransaction(source, 'SELECT n FROM counter WHERE id = 1 FOR UPDATE', (_rows, query) =>
        query('UPDATE counter SET n = n + 1 WHERE id = 1; SELECT 1 / 0'),
      ),
    ).rejects.toThrow(/division by zero/);
    await expect(inShortTransaction(source, 'SELECT no_such_column FROM counter', async () => 1)).rejects.toThrow(/no_such_column/);
    expect(await current()).toBe(before);
  });

  it('discards a connection whose session ended mid-transaction, and the pool recovers', async () => {
    await expect(
      inShortTransaction(source, 'SELECT pg_backend_pid() AS pid', async ([row]) => {
        await queryDatabase(db.url, 'SELECT pg_terminate_backend($1)', [row.pid]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        return 1;
      }),
    ).rejects.toThrow();
    const answers = await Promise.all([0, 1, 2].map(() => inShortTransaction(source, 'SELECT 7 AS seven', async ([row]) => row.seven)));
    expect(answers).toEqual([7, 7, 7]);
  });
});
