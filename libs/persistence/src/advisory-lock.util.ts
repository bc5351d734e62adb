import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `work` while holding the session-level Postgres advisory lock named `key`, on a connection of its
 * own that `work` may use; resolves to null at once, without running it, when another session holds the
 * lock. For scheduled jobs that one replica at a time must run.
 */
export async function tryWithAdvisoryLock<T>(
  dataSource: DataSource,
  key: string,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T | null> {
  const runner = dataSource.createQueryRunner('master');
  await runner.connect();
  try {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])) as { locked: boolean }[];
    if (!locked) return null;
    try {
      return await work(runner);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
