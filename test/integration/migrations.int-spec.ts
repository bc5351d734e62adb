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

  it.each(ALL_SCHEMAS.map((d) => [d.schema, d]))(
    'schema "%s": generating a migration on the migrated database yields nothing',
    async (_schema, definition) => {
      const source = dataSourceFor(db.url, definition);
      await source.initialize();
      try {
        expect(await source.showMigrations()).toBe(false);
        expect(await pendingSchemaChanges(source)).toEqual([]);
      } finally {
        await source.destroy();
      }
    },
  );

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

describe('upgrade: conversations and messages move from the gateway to the orchestrator', () => {
  const gateway = ALL_SCHEMAS.find((d) => d.schema === 'gateway')!;
  const orchestrator = ALL_SCHEMAS.find((d) => d.schema === 'orchestrator')!;
  // The schema as the release before the move left it: every migration older than the move's (later ones came after it).
  const before = (definition: typeof gateway, name: string) => ({
    ...definition,
    migrations: (definition.migrations as { name: string }[]).filter(
      (m) => Number(/(\d{13})$/.exec(m.name)?.[1]) < Number(/(\d{13})$/.exec(name)?.[1]),
    ) as typeof definition.migrations,
  });
  const gatewayBefore = before(gateway, 'DropMovedConversations1764700000000');
  const orchestratorBefore = before(orchestrator, 'MoveConversationsToOrchestrator1764700000000');

  async function migrate(url: string, ...definitions: (typeof gateway)[]): Promise<void> {
    for (const definition of definitions) {
      const source = dataSourceFor(url, definition);
      await source.initialize();
      try {
        await runMigrationsLocked(source, definition.schema);
      } finally {
        await source.destroy();
      }
    }
  }

  const ids = {
    app: '00000000-0000-4000-8000-00000000000a',
    conversation: '00000000-0000-4000-8000-00000000000c',
    endUser: '00000000-0000-4000-8000-00000000000e',
    message: '00000000-0000-4000-8000-00000000000d',
    workspace: '00000000-0000-4000-8000-00000000000f',
  };

  async function seedGatewayRows(url: string): Promise<void> {
    await queryDatabase(
      url,
      `INSERT INTO gateway.conversations (id, workspace_id, app_id, end_user_id, mode, name, inputs, dialogue_count) VALUES ($1, $2, $3, $4, 'advanced-chat', 'Kept', '{"city":"Oslo"}', 1)`,
      [ids.conversation, ids.workspace, ids.app, ids.endUser],
    );
    await queryDatabase(
      url,
      `INSERT INTO gateway.messages (id, workspace_id, app_id, conversation_id, end_user_id, task_id, inputs, query, answer, status, message_tokens)
       VALUES ($1, $2, $3, $4, $5, $1, '{}', 'hello', 'hi there', 'normal', 7)`,
      [ids.message, ids.workspace, ids.app, ids.conversation, ids.endUser],
    );
    await queryDatabase(
      url,
      `INSERT INTO gateway.message_feedbacks (message_id, workspace_id, app_id, conversation_id, end_user_id, rating) VALUES ($1, $2, $3, $4, $5, 'like')`,
      [ids.message, ids.workspace, ids.app, ids.conversation, ids.endUser],
    );
    await queryDatabase(url, `INSERT INTO gateway.erased_usage (workspace_id, app_id, day, messages) VALUES ($1, $2, '2026-01-01', 3)`, [
      ids.workspace,
      ids.app,
    ]);
  }

  async function expectMoved(url: string): Promise<void> {
    const left = await queryDatabase<{ t: string | null }>(
      url,
      `SELECT to_regclass(t) AS t FROM unnest(ARRAY['gateway.conversations', 'gateway.messages', 'gateway.message_feedbacks', 'gateway.erased_usage']) t`,
    );
    expect(left.map((r) => r.t)).toEqual([null, null, null, null]);
    const [conversation] = await queryDatabase<{ name: string; inputs: unknown }>(
      url,
      'SELECT name, inputs FROM orchestrator.conversations WHERE id = $1',
      [ids.conversation],
    );
    expect(conversation).toEqual({ inputs: { city: 'Oslo' }, name: 'Kept' });
    const [message] = await queryDatabase<{ answer: string; rating: string }>(
      url,
      'SELECT m.answer, f.rating FROM orchestrator.messages m JOIN orchestrator.message_feedbacks f ON f.message_id = m.id WHERE m.id = $1',
      [ids.message],
    );
    expect(message).toEqual({ answer: 'hi there', rating: 'like' });
    const [usage] = await queryDatabase<{ messages: number }>(url, 'SELECT messages FROM orchestrator.erased_usage WHERE app_id = $1', [
      ids.app,
    ]);
    expect(usage?.messages).toBe(3);
  }

  it.each([
    ['the gateway migrates first', [gateway, orchestrator]],
    ['the orchestrator migrates first', [orchestrator, gateway]],
  ] as const)('existing rows survive when %s', async (_order, order) => {
    const db = await createEmptyDatabase();
    try {
      await migrate(db.url, gatewayBefore, orchestratorBefore);
      await seedGatewayRows(db.url);
      await migrate(db.url, ...order);
      await expectMoved(db.url);
    } finally {
      await db.drop();
    }
  });

  it('a new database migrated orchestrator first keeps one copy of each table, in the orchestrator', async () => {
    const db = await createEmptyDatabase();
    try {
      await migrate(db.url, orchestrator, gatewayBefore);
      await seedGatewayRows(db.url);
      await migrate(db.url, gateway);
      await expectMoved(db.url);
    } finally {
      await db.drop();
    }
  });
});
