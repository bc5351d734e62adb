import { Client } from 'pg';
import { infraUrls, uniqueSuffix } from './infra';

/** The database every test database is copied from; global setup migrates it once per test run. */
export const TEMPLATE_DATABASE = 'weft_test_template';

export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: infraUrls().databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DROP DATABASE … WITH (FORCE) ends every session in the database, but a role that is not a superuser
 * (as the weft role is) may only end its own sessions: an autovacuum worker busy on a table a test has just
 * filled makes it fail with 42501. Then the test's own sessions are ended by hand and a plain DROP DATABASE
 * follows, which asks autovacuum to stop by itself; another role's session still there is waited out a while.
 */
async function dropDatabase(client: Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501') throw error;
      await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()`,
        [name],
      );
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
        return;
      } catch (plainError) {
        // 55006: still in use (plain DROP waits 5 s for autovacuum and other sessions, then gives up).
        if ((plainError as { code?: string }).code !== '55006' || attempt >= 6) throw plainError;
        await sleep(500 * attempt);
      }
    }
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, copied from the migrated template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `weft_test_${uniqueSuffix()}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}"`));
  return {
    name,
    url: databaseUrl(infraUrls().databaseUrl, name),
    drop: () => withAdmin((c) => dropDatabase(c, name)),
  };
}

/** An empty database (no migrations), for tests of migrating itself. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = `weft_test_${uniqueSuffix()}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrl(infraUrls().databaseUrl, name),
    drop: () => withAdmin((c) => dropDatabase(c, name)),
  };
}

/** Drops databases left behind by interrupted earlier runs, and the template, before a new run. */
export async function resetTestDatabases(): Promise<void> {
  await withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'weft_test_%'`);
    for (const { datname } of rows) await dropDatabase(c, datname);
    await c.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  });
}

/** Runs a query against a database by URL (tests inspect and tamper with rows directly). */
export async function queryDatabase<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
