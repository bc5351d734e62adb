import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig, PersistenceDefinition } from './persistence.types';

/**
 * The pool's connections. Each keeps an 'error' listener of its own for its whole life: when Postgres ends a
 * session (a restart or failover: FATAL 57P01) while no query is running on it, `pg` emits 'error' on the
 * client, and the listeners of TypeORM (while a query runner holds it) and of the pool (while it is idle) are
 * not there at every instant; an 'error' nobody listens to ends the process. The chaos test restarting
 * Postgres under load (`npm run chaos -- --dependencies`) crashed the gateway that way. What the session was
 * doing fails on its own (the query or transaction rejects, the pool drops the client), so nothing is hidden.
 */
export class ResilientPgClient extends Client {
  constructor(config?: ConstructorParameters<typeof Client>[0]) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** TypeORM options for a service: its own schema, pool and timeouts from config, replicas if configured. */
export function buildDataSourceOptions(
  definition: PersistenceDefinition,
  database: DatabaseConfig,
  applicationName: string,
): DataSourceOptions {
  const extra = {
    max: database.poolMax,
    idleTimeoutMillis: database.poolIdleTimeoutMs,
    connectionTimeoutMillis: database.connectTimeoutMs,
    statement_timeout: database.statementTimeoutMs,
    application_name: applicationName,
    Client: ResilientPgClient,
  };
  const common = {
    type: 'postgres' as const,
    schema: definition.schema,
    entities: definition.entities,
    migrations: definition.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra,
  };
  if (database.readUrls.length === 0) return { ...common, url: database.url };
  // Reads that may lag go to the replicas in turn; writes and explicit 'master' query runners use the primary.
  return {
    ...common,
    replication: {
      master: { url: database.url },
      slaves: database.readUrls.map((url: string) => ({ url })),
      defaultMode: 'master',
    },
  };
}

/** Applies pending migrations under an advisory lock, so replicas starting together do not race. */
export async function runMigrationsLocked(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner('master');
  await runner.connect();
  const lockKey = `weft:migrations:${schema}`;
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    await runner.release();
  }
}

/** SQL the entities would need beyond what the migrations created; empty when both agree. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
