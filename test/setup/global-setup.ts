import { complianceDatabase } from '../../apps/compliance/src/database.config';
import { gatewayDatabase } from '../../apps/gateway/src/database.config';
import { orchestratorDatabase } from '../../apps/orchestrator/src/database.config';
import { ragDatabase } from '../../apps/rag/src/database.config';
import { loadConfig, databaseConfig } from '@weft/config';
import { buildDataSourceOptions, runMigrationsLocked } from '@weft/persistence';
import { databaseUrl, infraUrls, resetTestDatabases, TEMPLATE_DATABASE } from '@weft/testing';
import { DataSource } from 'typeorm';

/** Every schema with its migrations, in the order services start. */
export const ALL_SCHEMAS = [gatewayDatabase, orchestratorDatabase, ragDatabase, complianceDatabase];

/**
 * Once per run: drop what earlier runs left, then migrate the template database that every test file
 * copies its own database from.
 */
export default async function globalSetup(): Promise<void> {
  if ((globalThis as { __weftTemplateReady?: boolean }).__weftTemplateReady) return;
  await resetTestDatabases();
  const database = loadConfig('test', databaseConfig, { DATABASE_URL: databaseUrl(infraUrls().databaseUrl, TEMPLATE_DATABASE) });
  for (const definition of ALL_SCHEMAS) {
    const source = new DataSource(buildDataSourceOptions(definition, database, 'weft-test-setup'));
    await source.initialize();
    try {
      await runMigrationsLocked(source, definition.schema);
    } finally {
      await source.destroy();
    }
  }
  (globalThis as { __weftTemplateReady?: boolean }).__weftTemplateReady = true;
}
