import { randomUUID } from 'node:crypto';
import { databaseConfig, loadConfig } from '@weft/config';
import { buildDataSourceOptions, runMigrationsLocked, type PersistenceDefinition } from '@weft/persistence';
import { createEmptyDatabase, queryDatabase, type TestDatabase } from '@weft/testing';
import { DataSource } from 'typeorm';
import { GENESIS_HASH, recordHash, type ChainedFields } from '../../apps/compliance/src/audit/audit-chain.util';
import {
  sealPendingWorkspaceHeads,
  verifyAuditChain,
  verifyWorkspaceAuditChain,
} from '../../apps/compliance/src/audit/audit-event.repository';
import { AuditSealer } from '../../apps/compliance/src/audit/audit-seal.util';
import { ALL_SCHEMAS } from '../setup/global-setup';

const KEYRING = { currentKeyId: 'k1', keys: { k1: 'audit-workspace-upgrade-test-key-0123456789' } };
/** The migration that chains the workspaces, and everything after it, is what the upgrade adds. */
const UPGRADE_FROM = 1764810000000;

function dataSourceFor(url: string, definition: PersistenceDefinition): DataSource {
  const database = loadConfig('test', databaseConfig, { DATABASE_URL: url, DATABASE_POOL_MAX: '4' });
  return new DataSource(buildDataSourceOptions(definition, database, 'weft-audit-upgrade-test'));
}

async function migrate(url: string, definition: PersistenceDefinition): Promise<void> {
  const source = dataSourceFor(url, definition);
  await source.initialize();
  try {
    await runMigrationsLocked(source, definition.schema);
  } finally {
    await source.destroy();
  }
}

describe('upgrade: an audit trail from before workspace chains gets one chain per workspace', () => {
  const compliance = ALL_SCHEMAS.find((d) => d.schema === 'compliance')!;
  const before: PersistenceDefinition = {
    ...compliance,
    migrations: (compliance.migrations as { name: string }[]).filter(
      (m) => Number(/(\d{13})$/.exec(m.name)?.[1]) < UPGRADE_FROM,
    ) as unknown as PersistenceDefinition['migrations'],
  };
  const sealer = new AuditSealer(KEYRING);
  const A = randomUUID();
  const B = randomUUID();
  // Interleaved, with system records of no workspace between them.
  const owners = [A, null, B, A, A, null, B, A, B, A];
  let db: TestDatabase;
  let source: DataSource;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await migrate(db.url, before);
    // The trail as the release before wrote it: the global chain only, its head sealed.
    let prevHash = GENESIS_HASH;
    for (const [i, workspaceId] of owners.entries()) {
      const fields: ChainedFields = {
        action: `test.${i}`,
        actorId: 'acc-1',
        actorType: 'account',
        correlationId: null,
        details: { i },
        id: randomUUID(),
        ip: null,
        occurredAt: new Date(Date.now() - 60_000 + i),
        outcome: 'success',
        prevHash,
        receivedAt: new Date(Date.now() - 60_000 + i),
        resourceId: null,
        resourceType: 'thing',
        seq: i + 1,
        service: 'gateway',
        userAgent: null,
        workspaceId,
      };
      const hash = recordHash(fields);
      await queryDatabase(
        db.url,
        `INSERT INTO compliance.audit_events (id, occurred_at, received_at, service, actor_type, actor_id, workspace_id, action, resource_type, outcome, details, seq, prev_hash, hash)
         VALUES ($1, $2, $3, 'gateway', 'account', 'acc-1', $4, $5, 'thing', 'success', $6::jsonb, $7, $8, $9)`,
        [
          fields.id,
          fields.occurredAt,
          fields.receivedAt,
          workspaceId,
          fields.action,
          JSON.stringify(fields.details),
          fields.seq,
          prevHash,
          hash,
        ],
      );
      prevHash = hash;
    }
    await queryDatabase(db.url, 'UPDATE compliance.audit_chain_head SET last_seq = $1, last_hash = $2, seal = $3', [
      owners.length,
      prevHash,
      sealer.seal({ hash: prevHash, kind: 'head', seq: owners.length }),
    ]);
    await migrate(db.url, compliance);
    source = dataSourceFor(db.url, compliance);
    await source.initialize();
  });

  afterAll(async () => {
    await source?.destroy();
    await db?.drop();
  });

  it("numbers each workspace's records in global order, links them, and leaves system records out", async () => {
    const rows = await queryDatabase<{ workspace_id: string | null; workspace_seq: string | null; workspace_hash: string | null }>(
      db.url,
      'SELECT workspace_id, workspace_seq, workspace_hash FROM compliance.audit_events ORDER BY seq',
    );
    expect(rows.map((r) => r.workspace_seq)).toEqual(['1', null, '1', '2', '3', null, '2', '4', '3', '5']);
    expect(rows.filter((r) => r.workspace_id === null).every((r) => r.workspace_hash === null)).toBe(true);
    const heads = await queryDatabase<{ workspace_id: string; first_seq: string; last_seq: string; seal: string | null }>(
      db.url,
      'SELECT workspace_id, first_seq, last_seq, seal FROM compliance.audit_workspace_heads ORDER BY last_seq',
    );
    expect(heads).toEqual([
      { first_seq: '1', last_seq: '3', seal: null, workspace_id: B },
      { first_seq: '1', last_seq: '5', seal: null, workspace_id: A },
    ]);
    expect(
      (await queryDatabase<{ p: boolean }>(db.url, 'SELECT workspace_heads_pending AS p FROM compliance.audit_chain_head'))[0]!.p,
    ).toBe(true);
  });

  it('keeps the global chain intact, and has each workspace chain check out once the first start sealed its head', async () => {
    expect(await verifyAuditChain(source, sealer)).toMatchObject({ broken: null, checked: 10 });
    // Until the compliance service starts, the heads the migration made have no seal.
    expect(await verifyWorkspaceAuditChain(source, sealer, A)).toMatchObject({ broken: { reason: 'seal_missing' }, checked: 5 });
    expect(await sealPendingWorkspaceHeads(source, sealer)).toEqual({ sealed: 2 });
    expect(await sealPendingWorkspaceHeads(source, sealer)).toEqual({ sealed: 0 });
    expect(await verifyWorkspaceAuditChain(source, sealer, A)).toMatchObject({ broken: null, checked: 5, head: { seq: 5 } });
    expect(await verifyWorkspaceAuditChain(source, sealer, B)).toMatchObject({ broken: null, checked: 3, head: { seq: 3 } });
    // A head that loses its seal later is not sealed again by a restart.
    await queryDatabase(db.url, 'UPDATE compliance.audit_workspace_heads SET seal = NULL WHERE workspace_id = $1', [B]);
    expect(await sealPendingWorkspaceHeads(source, sealer)).toEqual({ sealed: 0 });
    expect(await verifyWorkspaceAuditChain(source, sealer, B)).toMatchObject({ broken: { reason: 'seal_missing' } });
  });

  it("refuses an older replica's append of a workspace record without its place in the workspace's chain", async () => {
    await expect(
      queryDatabase(
        db.url,
        `INSERT INTO compliance.audit_events (id, occurred_at, service, actor_type, action, resource_type, outcome, details, seq, prev_hash, hash, workspace_id)
         VALUES (gen_random_uuid(), now(), 'gateway', 'account', 'x', 'thing', 'success', '{}', 11, 'x', 'y', $1)`,
        [A],
      ),
    ).rejects.toThrow(/CHK_audit_events_workspace_link/);
  });
});
