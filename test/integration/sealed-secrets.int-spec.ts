import { randomUUID } from 'node:crypto';
import { databaseConfig, loadConfig } from '@weft/config';
import { dataExportKeyBinding, DATA_EXPORT_KEY_PURPOSE } from '@weft/contracts';
import { buildDataSourceOptions, runMigrationsLocked, type PersistenceDefinition } from '@weft/persistence';
import { bindLegacyOnce } from '@weft/platform';
import { secretBoxFor, type SecretKeyring } from '@weft/security';
import { createEmptyDatabase, queryDatabase, sealLegacy, type TestDatabase } from '@weft/testing';
import { DataSource } from 'typeorm';
import { providerCredentialsBinding } from '../../apps/gateway/src/apps/app.service';
import { PROVIDER_CREDENTIALS_PURPOSE } from '../../apps/gateway/src/apps/credentials-box.module';
import { rotateProviderCredentials } from '../../apps/gateway/src/apps/credentials-rotation.util';
import { rotateExportKeys } from '../../apps/compliance/src/privacy/export-key-rotation.util';
import { openSecrets, WORKFLOW_ENVIRONMENT_PURPOSE } from '../../apps/orchestrator/src/workflows/secret-environment.util';
import { rotateWorkflowSecrets } from '../../apps/orchestrator/src/workflows/secret-rotation.util';
import { ALL_SCHEMAS } from '../setup/global-setup';

const MATERIAL = 'sealed-secrets-upgrade-test-key-0123456789';
const KEYRING: SecretKeyring = { currentKeyId: 'k1', keys: { k1: MATERIAL } };
/** Migrations from the release that binds seals on (1764800000000-bind-sealed-…) are what the upgrade adds. */
const UPGRADE_FROM = 1764800000000;

function dataSourceFor(url: string, definition: PersistenceDefinition): DataSource {
  const database = loadConfig('test', databaseConfig, { DATABASE_URL: url, DATABASE_POOL_MAX: '4' });
  return new DataSource(buildDataSourceOptions(definition, database, 'weft-sealed-secrets-test'));
}

/** The schema as the release before bound seals left it. */
function before(definition: PersistenceDefinition): PersistenceDefinition {
  const migrations = (definition.migrations as { name: string }[]).filter((m) => Number(/(\d{13})$/.exec(m.name)?.[1]) < UPGRADE_FROM);
  return { ...definition, migrations: migrations as unknown as PersistenceDefinition['migrations'] };
}

const schema = (name: string) => ALL_SCHEMAS.find((d) => d.schema === name)!;

async function migrate(url: string, definition: PersistenceDefinition): Promise<void> {
  const source = dataSourceFor(url, definition);
  await source.initialize();
  try {
    await runMigrationsLocked(source, definition.schema);
  } finally {
    await source.destroy();
  }
}

/** A workflow document with a secret environment value and an API key typed into an http-request node. */
function workflowDocument(envSecret: string, apiKey: string, note = 'hello'): Record<string, unknown> {
  return {
    app: { mode: 'workflow', name: 'upgraded' },
    kind: 'app',
    version: '0.1.5',
    workflow: {
      environment_variables: [
        { name: 'API_TOKEN', value: envSecret, value_type: 'secret' },
        { name: 'NOTE', value: note, value_type: 'string' },
      ],
      graph: {
        edges: [],
        nodes: [
          {
            data: {
              authorization: { config: { api_key: apiKey, header: 'X-Key', type: 'custom' }, type: 'api-key' },
              type: 'http-request',
            },
            id: 'h',
          },
        ],
      },
    },
  };
}

describe('upgrade: secrets sealed before binding (v1) survive, bound to the row they were in', () => {
  let db: TestDatabase;
  let source: { compliance: DataSource; gateway: DataSource; orchestrator: DataSource };
  const credentialsBox = secretBoxFor(KEYRING, PROVIDER_CREDENTIALS_PURPOSE);
  const workflowBox = secretBoxFor(KEYRING, WORKFLOW_ENVIRONMENT_PURPOSE);
  const exportBox = secretBoxFor(KEYRING, DATA_EXPORT_KEY_PURPOSE);
  const ids = {
    appA: randomUUID(),
    appB: randomUUID(),
    account: randomUUID(),
    exportId: randomUUID(),
    workspaceA: randomUUID(),
    workspaceB: randomUUID(),
  };
  const legacy = (purpose: string, plaintext: string) => sealLegacy(MATERIAL, 'k1', purpose, plaintext);

  beforeAll(async () => {
    db = await createEmptyDatabase();
    for (const name of ['gateway', 'orchestrator', 'compliance']) await migrate(db.url, before(schema(name)));
    // What the release before stored: unbound v1 values.
    for (const [workspace, key] of [
      [ids.workspaceA, 'sk-a'],
      [ids.workspaceB, 'sk-b'],
    ] as const) {
      await queryDatabase(
        db.url,
        `INSERT INTO gateway.provider_credentials (workspace_id, provider, sealed_credentials) VALUES ($1, 'openai', $2)`,
        [workspace, legacy(PROVIDER_CREDENTIALS_PURPOSE, JSON.stringify({ openai_api_key: key }))],
      );
    }
    for (const version of ['draft', '2026-01-01 00:00:00.000000']) {
      const document = workflowDocument(legacy(WORKFLOW_ENVIRONMENT_PURPOSE, 'env-a'), legacy(WORKFLOW_ENVIRONMENT_PURPOSE, 'http-a'));
      await queryDatabase(
        db.url,
        `INSERT INTO orchestrator.workflows (id, workspace_id, app_id, version, document) VALUES ($1, $2, $3, $4, $5::jsonb)`,
        [randomUUID(), ids.workspaceA, ids.appA, version, JSON.stringify(document)],
      );
    }
    await queryDatabase(
      db.url,
      `INSERT INTO compliance.data_exports (id, account_id, status, token_hash, storage_key, sealed_key, expires_at)
       VALUES ($1, $2, 'completed', 'hash', 'privacy/exports/x.weftx', $3, now() + interval '1 day')`,
      [ids.exportId, ids.account, legacy(DATA_EXPORT_KEY_PURPOSE, 'archive-key')],
    );
    for (const name of ['gateway', 'orchestrator', 'compliance']) await migrate(db.url, schema(name));
    source = {
      compliance: dataSourceFor(db.url, schema('compliance')),
      gateway: dataSourceFor(db.url, schema('gateway')),
      orchestrator: dataSourceFor(db.url, schema('orchestrator')),
    };
    await Promise.all(Object.values(source).map((s) => s.initialize()));
  });

  afterAll(async () => {
    await Promise.all(Object.values(source ?? {}).map((s) => s.destroy()));
    await db?.drop();
  });

  const credentialsOf = async (workspaceId: string) =>
    (
      await queryDatabase<{ sealed_credentials: string }>(
        db.url,
        `SELECT sealed_credentials FROM gateway.provider_credentials WHERE workspace_id = $1 AND provider = 'openai'`,
        [workspaceId],
      )
    )[0]!.sealed_credentials;

  it('keeps the old rows through the migration, and refuses to open them before they are re-sealed', async () => {
    const stored = await credentialsOf(ids.workspaceA);
    expect(stored).toMatch(/^v1:k1:/);
    expect(() => credentialsBox.open(stored, providerCredentialsBinding(ids.workspaceA, 'openai'))).toThrow(/old format/);
  });

  it('refuses any new value of the old format after the migration, in each table, and nothing else', async () => {
    await expect(
      queryDatabase(db.url, `UPDATE gateway.provider_credentials SET sealed_credentials = $1 WHERE workspace_id = $2`, [
        legacy(PROVIDER_CREDENTIALS_PURPOSE, '{}'),
        ids.workspaceB,
      ]),
    ).rejects.toThrow(/CHK_provider_credentials_bound_seal/);
    const insertWorkflow = (document: Record<string, unknown>) =>
      queryDatabase(
        db.url,
        `INSERT INTO orchestrator.workflows (id, workspace_id, app_id, version, document) VALUES ($1, $2, $3, 'draft', $4::jsonb)`,
        [randomUUID(), ids.workspaceB, ids.appB, JSON.stringify(document)],
      );
    const bound = workflowBox.seal('x', [ids.workspaceB, ids.appB]);
    await expect(insertWorkflow(workflowDocument(legacy(WORKFLOW_ENVIRONMENT_PURPOSE, 'x'), bound))).rejects.toThrow(
      /CHK_workflows_bound_secrets/,
    );
    await expect(insertWorkflow(workflowDocument(bound, legacy(WORKFLOW_ENVIRONMENT_PURPOSE, 'x')))).rejects.toThrow(
      /CHK_workflows_bound_secrets/,
    );
    await expect(
      queryDatabase(db.url, `UPDATE compliance.data_exports SET sealed_key = $1 WHERE id = $2`, [
        legacy(DATA_EXPORT_KEY_PURPOSE, 'k'),
        ids.exportId,
      ]),
    ).rejects.toThrow(/CHK_data_exports_bound_key/);
    // A string that merely looks like one outside the secret places is an ordinary value.
    await insertWorkflow(workflowDocument(bound, bound, 'v1:not:a:sealed:value'));
    await queryDatabase(db.url, `DELETE FROM orchestrator.workflows WHERE app_id = $1`, [ids.appB]);
  });

  it('re-seals every old value bound to its row at start (legacy only), once, and then opens them', async () => {
    expect(await rotateProviderCredentials(source.gateway, credentialsBox, { legacyOnly: true })).toMatchObject({
      refused: 0,
      resealed: 2,
      scanned: 2,
    });
    expect(await rotateWorkflowSecrets(source.orchestrator, workflowBox, { legacyOnly: true })).toMatchObject({
      refused: 0,
      resealed: 4,
      scanned: 4,
    });
    expect(await rotateExportKeys(source.compliance, exportBox, { legacyOnly: true })).toMatchObject({
      refused: 0,
      resealed: 1,
      scanned: 1,
    });
    // The next start finds nothing left, so it validates each constraint; the starts after it skip the scan.
    const passes = [
      {
        name: 'CHK_provider_credentials_bound_seal',
        pass: () => rotateProviderCredentials(source.gateway, credentialsBox, { legacyOnly: true }),
        source: source.gateway,
        table: 'gateway.provider_credentials',
      },
      {
        name: 'CHK_workflows_bound_secrets',
        pass: () => rotateWorkflowSecrets(source.orchestrator, workflowBox, { legacyOnly: true }),
        source: source.orchestrator,
        table: 'orchestrator.workflows',
      },
      {
        name: 'CHK_data_exports_bound_key',
        pass: () => rotateExportKeys(source.compliance, exportBox, { legacyOnly: true }),
        source: source.compliance,
        table: 'compliance.data_exports',
      },
    ];
    for (const { name, pass, source: s, table } of passes) {
      expect(await bindLegacyOnce(s, { name, table }, pass)).toMatchObject({ resealed: 0, scanned: 0, skipped: false });
      expect(await bindLegacyOnce(s, { name, table }, pass)).toMatchObject({ skipped: true });
    }
    const validated = await queryDatabase<{ conname: string; convalidated: boolean }>(
      db.url,
      `SELECT conname, convalidated FROM pg_constraint WHERE conname LIKE 'CHK_%bound%' ORDER BY conname`,
    );
    expect(validated).toEqual([
      { conname: 'CHK_data_exports_bound_key', convalidated: true },
      { conname: 'CHK_provider_credentials_bound_seal', convalidated: true },
      { conname: 'CHK_workflows_bound_secrets', convalidated: true },
    ]);

    const a = await credentialsOf(ids.workspaceA);
    expect(a).toMatch(/^v2:k1:/);
    expect(JSON.parse(credentialsBox.open(a, providerCredentialsBinding(ids.workspaceA, 'openai')))).toEqual({ openai_api_key: 'sk-a' });
    expect(
      JSON.parse(credentialsBox.open(await credentialsOf(ids.workspaceB), providerCredentialsBinding(ids.workspaceB, 'openai'))),
    ).toEqual({
      openai_api_key: 'sk-b',
    });
    const workflows = await queryDatabase<{ document: Record<string, unknown> }>(
      db.url,
      `SELECT document FROM orchestrator.workflows WHERE app_id = $1`,
      [ids.appA],
    );
    expect(workflows).toHaveLength(2);
    for (const w of workflows) {
      expect(JSON.stringify(w.document)).not.toMatch(/"v1:/);
      expect(openSecrets(w.document, workflowBox, { appId: ids.appA, workspaceId: ids.workspaceA })).toEqual(
        workflowDocument('env-a', 'http-a'),
      );
    }
    const [row] = await queryDatabase<{ sealed_key: string }>(db.url, `SELECT sealed_key FROM compliance.data_exports WHERE id = $1`, [
      ids.exportId,
    ]);
    expect(exportBox.open(row!.sealed_key, dataExportKeyBinding(ids.exportId, ids.account))).toBe('archive-key');
  });

  it('after the upgrade, a value copied to another row does not open there, and neither the upgrade nor a rotation binds it to it', async () => {
    const a = await credentialsOf(ids.workspaceA);
    const original = await credentialsOf(ids.workspaceB);
    await queryDatabase(db.url, `UPDATE gateway.provider_credentials SET sealed_credentials = $1 WHERE workspace_id = $2`, [
      a,
      ids.workspaceB,
    ]);
    expect(() => credentialsBox.open(a, providerCredentialsBinding(ids.workspaceB, 'openai'))).toThrow(/another row/);
    expect(await rotateProviderCredentials(source.gateway, credentialsBox, { legacyOnly: true })).toMatchObject({
      resealed: 0,
      scanned: 0,
    });
    const rotated = secretBoxFor(
      { currentKeyId: 'k2', keys: { ...KEYRING.keys, k2: 'sealed-secrets-second-key-0123456789ab' } },
      PROVIDER_CREDENTIALS_PURPOSE,
    );
    expect(await rotateProviderCredentials(source.gateway, rotated, { currentKeyId: 'k2' })).toMatchObject({
      refused: 1,
      resealed: 1,
      scanned: 2,
    });
    expect(await credentialsOf(ids.workspaceB)).toBe(a);
    await queryDatabase(db.url, `UPDATE gateway.provider_credentials SET sealed_credentials = $1 WHERE workspace_id = $2`, [
      original,
      ids.workspaceB,
    ]);
  });
});
