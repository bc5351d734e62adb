import { randomUUID } from 'node:crypto';
import { loadConfig, ragConfigSpec, type ConfigOf } from '@weft/config';
import { DatabaseService } from '@weft/persistence';
import { ragDatabase } from './database.config';

/** Where an integration test's Postgres (already migrated), NATS and Redis are. */
export interface RagTestInfra {
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
}

/**
 * For integration tests of the rag service's storage: its config over a test database (plus `env`), and a
 * ready DatabaseService on it without a Nest app around it. Stop it with `database.onApplicationShutdown()`.
 */
export async function startRagDatabase(
  infra: RagTestInfra,
  applicationName: string,
  env: Record<string, string> = {},
): Promise<{ config: ConfigOf<typeof ragConfigSpec>; database: DatabaseService }> {
  const config = loadConfig('rag', ragConfigSpec, {
    DATABASE_URL: infra.databaseUrl,
    LOG_LEVEL: 'warn',
    NATS_URL: infra.natsUrl,
    REDIS_URL: infra.redisUrl,
    ...env,
  });
  const database = new DatabaseService({ applicationName, database: config.database, definition: ragDatabase, migrateOnStart: false });
  database.onModuleInit();
  await database.whenReady();
  return { config, database };
}

/** Runs one statement for a test (e.g. `(sql, params) => queryDatabase(url, sql, params)`). */
export type TestQuery = (sql: string, params: unknown[]) => Promise<unknown>;

/** For integration tests: a dataset holding one completed document that segments can be inserted into. */
export async function insertDatasetWithDocument(query: TestQuery, workspaceId: string): Promise<{ datasetId: string; documentId: string }> {
  const datasetId = randomUUID();
  const documentId = randomUUID();
  await query(`INSERT INTO rag.datasets (id, workspace_id, name) VALUES ($1, $2, $3)`, [datasetId, workspaceId, `ds-${datasetId}`]);
  await query(
    `INSERT INTO rag.documents (id, workspace_id, dataset_id, position, name, batch, data_source_type, data_source_info, process_rule, indexing_status)
     VALUES ($1, $2, $3, 1, 'doc', 'b1', 'upload_file', '{}', '{}', 'completed')`,
    [documentId, workspaceId, datasetId],
  );
  return { datasetId, documentId };
}
