import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig, PersistenceDefinition } from './persistence.types';

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
