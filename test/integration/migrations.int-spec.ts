import { loadConfig, databaseConfig } from '@weft/config';
import { buildDataSourceOptions, pendingSchemaChanges, runMigrationsLocked } from '@weft/persistence';
import { createEmptyDatabase, createTestDatabase, queryDatabase, TestDatabase } from '@weft/testing';
import { DataSource } from 'typeorm';
import { ALL_SCHEMAS } from '../setup/global-setup';

function dataSourceFor(url: string, definition: (typeof ALL_SCHEMAS)[number]): DataSource {
  const database = loadConfig('test', databaseConfig, { DATABASE_URL: url, DATABASE_POOL_MAX: '4' });
  return new DataSource(buildDataSourceOptions(definition, database, 'weft-persistence-test'));
}

describe('migrations', () => {
  let empty: TestDatabase;

  beforeAll(async () => {
    empty = await createEmptyDatabase();
  });

  afterAll(async () => {
    await empty.drop();
  });

  it('apply once when several replicas migrate at the same moment', async () => {
    const compliance = ALL_SCHEMAS.find((d) => d.schema === 'compliance')!;
    const replicas = [dataSourceFor(empty.url, compliance), dataSourceFor(empty.url, compliance), dataSourceFor(empty.url, compliance)];
    await Promise.all(replicas.map((r) => r.initialize()));
    try {
      const applied = await Promise.all(replicas.map((r) => runMigrationsLocked(r, 'compliance')));
      // Exactly one replica applied each migration, in order; the others found nothing left to do.
      const names = replicas[0]!.migrations.map((m) => m.name);
      expect(names.length).toBeGreaterThanOrEqual(4);
      expect(applied.flat()).toEqual(names);
      const rows = await queryDatabase<{ name: string }>(empty.url, 'SELECT name FROM compliance.migrations ORDER BY id');
      expect(rows.map((r) => r.name)).toEqual(names);
    } finally {
      await Promise.all(replicas.map((r) => r.destroy()));
    }
  });
});

describe('entities and migrations agree', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it.each(ALL_SCHEMAS.map((d) => [d.schema, d]))('schema "%s": generating a migration on the migrated database yields nothing', async (_schema, definition) => {
    const source = dataSourceFor(db.url, definition);
    await source.initialize();
    try {
      expect(await source.showMigrations()).toBe(false);
      expect(await pendingSchemaChanges(source)).toEqual([]);
    } finally {
      await source.destroy();
    }
  });

  it('detects drift: an entity column that no migration created', async () => {
    const compliance = ALL_SCHEMAS.find((d) => d.schema === 'compliance')!;
    await queryDatabase(db.url, 'ALTER TABLE compliance.audit_events DROP COLUMN user_agent');
    const source = dataSourceFor(db.url, compliance);
    await source.initialize();
    try {
      const changes = await pendingSchemaChanges(source);
      expect(changes.join('\n')).toContain('user_agent');
    } finally {
      await source.destroy();
    }
  });
});
