import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuditModule } from '@weft/audit';
import { databaseConfig, loadConfig } from '@weft/config';
import type { AuditEvent } from '@weft/contracts';
import { MessageBus, MessagingModule } from '@weft/messaging';
import { MetricsModule } from '@weft/metrics';
import { DatabaseService, PersistenceModule } from '@weft/persistence';
import {
  createTestDatabase,
  expectEventually,
  infraUrls,
  pollUntil,
  queryDatabase,
  TestDatabase,
  uniqueSuffix,
  operatorBusOptions,
} from '@weft/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { register } from 'prom-client';
import { complianceDatabase } from '../database.config';
import { AuditAppender } from './audit-appender.service';
import { recordHash } from './audit-chain.util';
import { AuditEventRepository, chainedFieldsOf, resealAuditAnchors, type StoredRecordRow } from './audit-event.repository';
import { AuditRetentionService } from './audit-retention.service';
import { AuditSealService } from './audit-seal.service';
import { AuditSealer } from './audit-seal.util';
import { AuditTrailHandler } from './audit-trail.handler';
import { AuditTrailModule } from './audit.module';

const DAY = 86_400_000;
const KEYRING = { currentKeyId: 'k1', keys: { k1: 'audit-trail-test-key-0123456789abcdef' } };

function event(over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    action: 'test.action',
    actor: { id: 'acc-1', type: 'account' },
    correlationId: randomUUID(),
    details: { n: 1, nested: { b: [1, 2], a: 'x' } },
    id: randomUUID(),
    ip: '127.0.0.1',
    occurredAt: new Date().toISOString(),
    outcome: 'success',
    resource: { id: 'r-1', type: 'thing' },
    service: 'gateway',
    userAgent: 'jest',
    workspaceId: 'ws-1',
    ...over,
  };
}

/** The compliance service's audit trail in a Nest app of its own, with its own database and NATS prefix. */
async function startTrail(): Promise<{ app: INestApplication; db: TestDatabase }> {
  const db = await createTestDatabase();
  const database = loadConfig('test', databaseConfig, { DATABASE_URL: db.url, DATABASE_POOL_MAX: '12' });
  const prefix = `t${uniqueSuffix()}`;
  const moduleRef = await Test.createTestingModule({
    imports: [
      MetricsModule,
      // Only the audit trail's part of the compliance service (not its privacy subjects).
      MessagingModule.forRoot({
        ...operatorBusOptions(),
        handles: ['audit.verify.v1', 'audit.verify.workspace.v1', 'audit.logs.v1'],
        instanceId: uniqueSuffix(),
        requestTimeoutMs: 5000,
        servers: [infraUrls().natsUrl],
        service: 'compliance',
        subjectPrefix: prefix,
      }),
      PersistenceModule.forRoot({
        applicationName: 'weft-audit-trail-test',
        database,
        definition: complianceDatabase,
        migrateOnStart: true,
      }),
      AuditModule.forRoot('compliance'),
      AuditTrailModule.forRoot({ pruneIntervalMinutes: 24 * 60, retentionDays: 30 }, KEYRING),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  await app.get(DatabaseService).whenReady();
  await app.get(MessageBus).start();
  return { app, db };
}

// Changes rows the way an intruder with database access would: the append-only trigger switched off.
async function tamper(url: string, sql: string, params: unknown[] = []): Promise<void> {
  const literal = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  const statement = sql.replace(/\$(\d)/g, (_, i: string) => literal(params[Number(i) - 1]));
  await queryDatabase(
    url,
    `ALTER TABLE compliance.audit_events DISABLE TRIGGER audit_events_append_only; ${statement}; ALTER TABLE compliance.audit_events ENABLE TRIGGER audit_events_append_only`,
  );
}

describe('the audit trail hash chain (compliance, real Postgres and NATS)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let repo: AuditEventRepository;
  let handler: AuditTrailHandler;
  let appender: AuditAppender;

  beforeAll(async () => {
    ({ app, db } = await startTrail());
    repo = app.get(AuditEventRepository);
    handler = app.get(AuditTrailHandler);
    appender = app.get(AuditAppender);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('appends concurrent batches from many transactions as one unbroken chain, each event id once', async () => {
    const events = Array.from({ length: 120 }, () => event());
    // 40 overlapping batches at once, each in its own transaction: every id appears in two batches.
    const batches = Array.from({ length: 40 }, (_, i) => [
      ...events.slice(i * 3, i * 3 + 3),
      ...events.slice(((i + 1) % 40) * 3, ((i + 1) % 40) * 3 + 3),
    ]);
    const results = await Promise.all(batches.map((b) => repo.appendBatch(b)));
    expect(results.flat().filter(Boolean)).toHaveLength(120);
    const rows = await queryDatabase<{ seq: string; n: string }>(
      db.url,
      'SELECT min(seq) AS seq, count(DISTINCT id) AS n FROM compliance.audit_events',
    );
    expect(rows[0]).toEqual({ n: '120', seq: '1' });
    expect(await handler.verify()).toMatchObject({ checked: 120, head: { seq: 120 }, result: 'ok' });
    // The workspace's own chain links up too, numbered 1…120 without gaps whatever order the batches committed in.
    expect(await handler.verifyWorkspace({ workspaceId: 'ws-1' })).toMatchObject({ checked: 120, head: { seq: 120 }, result: 'ok' });
  });

  it('appends a batch in four round trips to Postgres whatever its size, redelivered events and new workspaces included', async () => {
    const sent = jest.spyOn(Client.prototype, 'query');
    try {
      const first = [event({ workspaceId: 'rt-a' })];
      expect(await repo.appendBatch(first)).toEqual([true]);
      expect(sent).toHaveBeenCalledTimes(4);
      sent.mockClear();
      const mixed = [
        ...first,
        ...Array.from({ length: 30 }, (_, i) => event({ workspaceId: ['rt-a', 'rt-b', 'rt-c'][i % 3] })),
        event({ workspaceId: null }),
      ];
      expect(await repo.appendBatch(mixed)).toEqual([false, ...Array.from({ length: 31 }, () => true)]);
      expect(sent).toHaveBeenCalledTimes(4);
    } finally {
      sent.mockRestore();
    }
    expect(await handler.verifyWorkspace({ workspaceId: 'rt-a' })).toMatchObject({ checked: 11, head: { seq: 11 }, result: 'ok' });
    expect(await handler.verifyWorkspace({ workspaceId: 'rt-c' })).toMatchObject({ checked: 10, head: { seq: 10 }, result: 'ok' });
    expect(await handler.verify()).toMatchObject({ result: 'ok' });
  });

  it('stores a redelivered event once, through the batching appender too', async () => {
    const e = event();
    const [first, second, third] = await Promise.all([appender.append(e), appender.append(e), appender.append({ ...e })]);
    expect([first, second, third].filter(Boolean)).toHaveLength(1);
    expect(await appender.append(e)).toBe(false);
    expect((await queryDatabase(db.url, 'SELECT id FROM compliance.audit_events WHERE id = $1', [e.id])).length).toBe(1);
  });

  it('takes events from JetStream and ignores a republished id', async () => {
    const bus = app.get(MessageBus);
    const e = event({ action: 'test.jetstream' });
    await bus.publishEvent('audit.event.v1', e, e.id);
    await bus.publishEvent('audit.event.v1', e, e.id);
    // The same id appended directly, as if JetStream had redelivered it after its de-duplication window.
    await expectEventually(async () =>
      expect((await queryDatabase(db.url, 'SELECT seq FROM compliance.audit_events WHERE id = $1', [e.id])).length).toBe(1),
    );
    expect(await appender.append(e)).toBe(false);
    expect(await handler.verify()).toMatchObject({ result: 'ok' });
  });

  it('refuses ordinary updates and deletes of the trail', async () => {
    await expect(queryDatabase(db.url, `UPDATE compliance.audit_events SET action = 'x' WHERE seq = 5`)).rejects.toThrow(/append-only/);
    await expect(queryDatabase(db.url, `DELETE FROM compliance.audit_events WHERE seq = 5`)).rejects.toThrow(/append-only/);
  });

  it('detects a changed, a deleted and an inserted record, each at its place', async () => {
    const [row] = await queryDatabase<Record<string, unknown>>(db.url, 'SELECT * FROM compliance.audit_events WHERE seq = 7');
    await tamper(db.url, `UPDATE compliance.audit_events SET details = '{"n": 2}' WHERE seq = 7`);
    expect(await handler.verify()).toMatchObject({ first_broken: { id: row['id'], reason: 'hash_mismatch', seq: 7 }, result: 'broken' });
    await tamper(db.url, `UPDATE compliance.audit_events SET details = $1::jsonb WHERE seq = 7`, [JSON.stringify(row['details'])]);
    expect(await handler.verify()).toMatchObject({ result: 'ok' });

    const [ninth] = await queryDatabase<Record<string, unknown>>(db.url, 'SELECT * FROM compliance.audit_events WHERE seq = 9');
    await tamper(db.url, `DELETE FROM compliance.audit_events WHERE seq = 9`);
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'sequence_gap', seq: 10 }, result: 'broken' });
    await tamper(
      db.url,
      `INSERT INTO compliance.audit_events SELECT * FROM json_populate_record(NULL::compliance.audit_events, $1::json)`,
      [JSON.stringify(ninth)],
    );
    expect(await handler.verify()).toMatchObject({ result: 'ok' });

    const head = Number(
      (await queryDatabase<{ last_seq: string }>(db.url, 'SELECT last_seq FROM compliance.audit_chain_head'))[0].last_seq,
    );
    const intruder = randomUUID();
    await tamper(
      db.url,
      `INSERT INTO compliance.audit_events (id, occurred_at, service, actor_type, action, resource_type, outcome, details, seq, prev_hash, hash)
       VALUES ($1, now(), 'gateway', 'account', 'app.deleted', 'app', 'success', '{}', $2, 'x', 'y')`,
      [intruder, head + 1],
    );
    expect(await handler.verify()).toMatchObject({
      first_broken: { id: intruder, reason: 'record_after_head', seq: head + 1 },
      result: 'broken',
    });
    await tamper(db.url, `DELETE FROM compliance.audit_events WHERE id = $1`, [intruder]);
    expect(await handler.verify()).toMatchObject({ result: 'ok' });

    // Records cut from the end (and the chain head left alone) are missed too.
    const [last] = await queryDatabase<Record<string, unknown>>(db.url, 'SELECT * FROM compliance.audit_events WHERE seq = $1', [head]);
    await tamper(db.url, `DELETE FROM compliance.audit_events WHERE seq = $1`, [head]);
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'head_mismatch', seq: head }, result: 'broken' });
    await tamper(
      db.url,
      `INSERT INTO compliance.audit_events SELECT * FROM json_populate_record(NULL::compliance.audit_events, $1::json)`,
      [JSON.stringify(last)],
    );
    expect(await handler.verify()).toMatchObject({ result: 'ok' });
  });

  it("catches a chain rewritten in the database, hashes and head included, by the head's seal", async () => {
    const [headRow] = await queryDatabase<{ last_hash: string; last_seq: string; seal: string }>(
      db.url,
      'SELECT last_seq, last_hash, seal FROM compliance.audit_chain_head',
    );
    expect(headRow.seal).toMatch(/^k1:[0-9a-f]{64}$/);
    const original = (await queryDatabase(
      db.url,
      'SELECT * FROM compliance.audit_events WHERE seq >= 7 ORDER BY seq',
    )) as unknown as StoredRecordRow[];
    // The intruder changes record 7 and recomputes every hash after it, and the head's: the chain links up.
    let prevHash = original[0].prev_hash;
    for (const row of original) {
      const fields = { ...chainedFieldsOf(row), details: row.seq === '7' ? { n: 2 } : row.details, prevHash };
      const hash = recordHash(fields);
      await tamper(db.url, `UPDATE compliance.audit_events SET details = $1::jsonb, prev_hash = $2, hash = $3 WHERE seq = $4`, [
        JSON.stringify(fields.details),
        prevHash,
        hash,
        Number(row.seq),
      ]);
      prevHash = hash;
    }
    await queryDatabase(db.url, 'UPDATE compliance.audit_chain_head SET last_hash = $1', [prevHash]);
    expect(await handler.verify()).toMatchObject({
      first_broken: { reason: 'seal_mismatch', seq: Number(headRow.last_seq) },
      result: 'broken',
    });
    // Nor can the seal be left out, or claim a key the service does not have.
    await queryDatabase(db.url, 'UPDATE compliance.audit_chain_head SET seal = NULL');
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'seal_missing' }, result: 'broken' });
    await queryDatabase(db.url, 'UPDATE compliance.audit_chain_head SET seal = $1', [`k9:${'0'.repeat(64)}`]);
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'seal_key_unknown' }, result: 'broken' });

    // Put back as it was: the original records, the head and its seal.
    for (const row of original) {
      await tamper(db.url, `UPDATE compliance.audit_events SET details = $1::jsonb, prev_hash = $2, hash = $3 WHERE seq = $4`, [
        JSON.stringify(row.details),
        row.prev_hash,
        row.hash,
        Number(row.seq),
      ]);
    }
    await queryDatabase(db.url, 'UPDATE compliance.audit_chain_head SET last_hash = $1, seal = $2', [headRow.last_hash, headRow.seal]);
    expect(await handler.verify()).toMatchObject({ result: 'ok' });
  });

  it('seals an unsealed head at start (a chain from before seals) once, and records that it did', async () => {
    const sealing = app.get(AuditSealService);
    await queryDatabase(db.url, 'UPDATE compliance.audit_chain_head SET seal = NULL');
    const [{ last_seq: seq }] = await queryDatabase<{ last_seq: string }>(db.url, 'SELECT last_seq FROM compliance.audit_chain_head');
    expect(await sealing.sealUnsealed()).toEqual({ checkpoints: [], head: Number(seq), refused: false });
    expect(await sealing.sealUnsealed()).toEqual({ checkpoints: [], head: null, refused: false });
    await expectEventually(async () => {
      const rows = await queryDatabase<{ details: Record<string, unknown> }>(
        db.url,
        `SELECT details FROM compliance.audit_events WHERE action = 'audit.chain.sealed'`,
      );
      expect(rows).toEqual([{ details: { checkpoints: [], head_seq: Number(seq) } }]);
    });
    expect(await handler.verify()).toMatchObject({ result: 'ok' });
  });

  it("lists one workspace's records newest first, filtered, with a cursor", async () => {
    const t0 = Date.now() - 60_000;
    const ws = `ws-${uniqueSuffix()}`;
    const mine = Array.from({ length: 5 }, (_, i) =>
      event({
        action: i % 2 ? 'app.published' : 'app.imported',
        actor: { id: `acc-${i % 2}`, type: 'account' },
        occurredAt: new Date(t0 + i * 1000).toISOString(),
        resource: { id: `app-${i}`, type: 'app' },
        workspaceId: ws,
      }),
    );
    await repo.appendBatch([...mine, event({ workspaceId: 'someone-else' })]);
    const base = {
      action: null,
      actorId: null,
      actorType: null,
      cursor: null,
      end: null,
      limit: 2,
      resourceId: null,
      resourceType: null,
      start: null,
      workspaceId: ws,
    };
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res = await handler.logs({ ...base, cursor });
      seen.push(...res.data.map((r) => r.id));
      cursor = res.next_cursor;
      expect(res.has_more).toBe(cursor !== null);
      if (!cursor) break;
    }
    expect(seen).toEqual(mine.map((e) => e.id).reverse());
    const published = await handler.logs({ ...base, action: 'app.published', limit: 10 });
    expect(published.data.map((r) => r.resource.id)).toEqual(['app-3', 'app-1']);
    expect((await handler.logs({ ...base, actorId: 'acc-0', actorType: 'account', limit: 10 })).data).toHaveLength(3);
    expect((await handler.logs({ ...base, limit: 10, resourceId: 'app-2', resourceType: 'app' })).data.map((r) => r.id)).toEqual([
      mine[2].id,
    ]);
    const ranged = await handler.logs({
      ...base,
      end: new Date(t0 + 3000).toISOString(),
      limit: 10,
      start: new Date(t0 + 1000).toISOString(),
    });
    expect(ranged.data.map((r) => r.id)).toEqual([mine[2].id, mine[1].id]);
    await expect(handler.logs({ ...base, cursor: 'bm9wZQ' })).rejects.toMatchObject({ code: 'invalid_param' });
    await expect(handler.logs({ ...base, actorId: 'acc-0' })).rejects.toMatchObject({ code: 'invalid_param' });
  });
});

describe("per-workspace chains: a workspace's own records, verified without the platform's", () => {
  let db: TestDatabase;
  let app: INestApplication;
  let repo: AuditEventRepository;
  let handler: AuditTrailHandler;
  const sealer = new AuditSealer(KEYRING);
  const A = `ws-a-${uniqueSuffix()}`;
  const B = `ws-b-${uniqueSuffix()}`;

  beforeAll(async () => {
    ({ app, db } = await startTrail());
    repo = app.get(AuditEventRepository);
    handler = app.get(AuditTrailHandler);
    // Interleaved with each other and with records of no workspace, as a busy platform's trail is.
    const owners = [A, B, null, A, B, B, A, null, A, B];
    for (const [i, workspaceId] of owners.entries()) await repo.appendBatch([event({ action: `test.${i}`, workspaceId })]);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const rowOf = async (workspaceId: string, workspaceSeq: number) =>
    (
      await queryDatabase<Record<string, unknown>>(
        db.url,
        'SELECT * FROM compliance.audit_events WHERE workspace_id = $1 AND workspace_seq = $2',
        [workspaceId, workspaceSeq],
      )
    )[0]!;
  const putBack = (row: Record<string, unknown>) =>
    tamper(db.url, `INSERT INTO compliance.audit_events SELECT * FROM json_populate_record(NULL::compliance.audit_events, $1::json)`, [
      JSON.stringify(row),
    ]);
  const headOf = async (workspaceId: string) =>
    (
      await queryDatabase<{
        first_prev_hash: string;
        first_seq: string;
        last_hash: string;
        last_seq: string;
        seal: string | null;
        workspace_id: string;
      }>(db.url, 'SELECT * FROM compliance.audit_workspace_heads WHERE workspace_id = $1', [workspaceId])
    )[0]!;

  it("counts and numbers only the workspace's own records, and answers nothing of the platform's", async () => {
    const a = await handler.verifyWorkspace({ workspaceId: A });
    expect(a).toEqual({
      checked: 4,
      checkpoint: null,
      head: { hash: expect.stringMatching(/^[0-9a-f]{64}$/), seq: 4 },
      result: 'ok',
      scope: 'workspace',
    });
    expect(await handler.verifyWorkspace({ workspaceId: B })).toMatchObject({ checked: 4, head: { seq: 4 }, result: 'ok' });
    expect(await handler.verify()).toMatchObject({ checked: 10, head: { seq: 10 }, result: 'ok' });
    // Its head hash is the workspace's own (the workspace hash of its last record), not the platform's head.
    const platformHead = (await queryDatabase<{ last_hash: string }>(db.url, 'SELECT last_hash FROM compliance.audit_chain_head'))[0]!;
    expect(a.result === 'ok' && a.head.hash).toBe((await rowOf(A, 4))['workspace_hash']);
    expect(JSON.stringify(a)).not.toContain(platformHead.last_hash);
    // A workspace without records has an empty chain that checks out.
    expect(await handler.verifyWorkspace({ workspaceId: 'nobody' })).toMatchObject({ checked: 0, head: { seq: 0 }, result: 'ok' });
  });

  it("does not report a change to another workspace's record, which its own check and the platform's find", async () => {
    const theirs = await rowOf(B, 2);
    await tamper(db.url, `UPDATE compliance.audit_events SET outcome = 'failure' WHERE id = $1`, [theirs['id']]);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({ checked: 4, result: 'ok' });
    expect(await handler.verifyWorkspace({ workspaceId: B })).toMatchObject({
      first_broken: { id: theirs['id'], reason: 'hash_mismatch', seq: 2 },
      result: 'broken',
      scope: 'workspace',
    });
    expect(await handler.verify()).toMatchObject({
      first_broken: { id: theirs['id'], reason: 'hash_mismatch', seq: Number(theirs['seq']) },
    });
    await tamper(db.url, `UPDATE compliance.audit_events SET outcome = 'success' WHERE id = $1`, [theirs['id']]);
    expect(await handler.verifyWorkspace({ workspaceId: B })).toMatchObject({ result: 'ok' });
  });

  it('finds its own records changed, deleted, moved in from another workspace, added, or cut from the end', async () => {
    const second = await rowOf(A, 2);
    await tamper(db.url, `UPDATE compliance.audit_events SET details = '{"n": 9}' WHERE id = $1`, [second['id']]);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({
      first_broken: { id: second['id'], reason: 'hash_mismatch', seq: 2 },
    });
    await tamper(db.url, `UPDATE compliance.audit_events SET details = $1::jsonb WHERE id = $2`, [
      JSON.stringify(second['details']),
      second['id'],
    ]);

    await tamper(db.url, `DELETE FROM compliance.audit_events WHERE id = $1`, [second['id']]);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({ first_broken: { reason: 'sequence_gap', seq: 3 } });
    await putBack(second);

    // B's record claimed for A (its workspace id and place rewritten) does not fit A's chain.
    const stolen = await rowOf(B, 4);
    await tamper(db.url, `UPDATE compliance.audit_events SET workspace_id = $1, workspace_seq = 5 WHERE id = $2`, [A, stolen['id']]);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({
      first_broken: { id: stolen['id'], reason: 'record_after_head', seq: 5 },
    });
    await tamper(db.url, `UPDATE compliance.audit_events SET workspace_id = $1, workspace_seq = 4 WHERE id = $2`, [B, stolen['id']]);

    const last = await rowOf(A, 4);
    await tamper(db.url, `DELETE FROM compliance.audit_events WHERE id = $1`, [last['id']]);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({ first_broken: { reason: 'head_mismatch', seq: 4 } });
    // Rewinding the workspace's head to hide that is caught by its seal.
    const head = await headOf(A);
    await queryDatabase(db.url, 'UPDATE compliance.audit_workspace_heads SET last_seq = 3, last_hash = $1 WHERE workspace_id = $2', [
      (await rowOf(A, 3))['workspace_hash'],
      A,
    ]);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({
      first_broken: { reason: 'seal_mismatch', seq: 3 },
      result: 'broken',
    });
    await queryDatabase(db.url, 'UPDATE compliance.audit_workspace_heads SET last_seq = $1, last_hash = $2 WHERE workspace_id = $3', [
      head.last_seq,
      head.last_hash,
      A,
    ]);
    await putBack(last);
    for (const workspaceId of [A, B]) expect(await handler.verifyWorkspace({ workspaceId })).toMatchObject({ result: 'ok' });
    expect(await handler.verify()).toMatchObject({ result: 'ok' });
  });

  it('never lets an append bless a workspace head whose seal was removed or forged', async () => {
    await queryDatabase(db.url, 'UPDATE compliance.audit_workspace_heads SET seal = NULL WHERE workspace_id = $1', [A]);
    await repo.appendBatch([event({ workspaceId: A })]);
    expect((await headOf(A)).seal).toBeNull();
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({ first_broken: { reason: 'seal_missing', seq: 5 } });
    // Nor does a restart: the upgrade's heads were sealed long ago.
    expect(await app.get(AuditSealService).sealPendingWorkspaceHeads()).toEqual({ sealed: 0 });
    await queryDatabase(db.url, 'UPDATE compliance.audit_workspace_heads SET seal = $1 WHERE workspace_id = $2', [
      `k1:${'0'.repeat(64)}`,
      A,
    ]);
    await repo.appendBatch([event({ workspaceId: A })]);
    expect((await headOf(A)).seal).toBe(`k1:${'0'.repeat(64)}`);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({ first_broken: { reason: 'seal_mismatch', seq: 6 } });
    // Nor secrets:rotate.
    await expect(resealAuditAnchors(app.get(DatabaseService).dataSource, sealer)).rejects.toThrow(
      `Refusing to re-seal the audit chain: the head of workspace "${A}" has a seal that does not match`,
    );
    // Sealed again by hand (the key holder vouching for it), appends seal it as before.
    const head = await headOf(A);
    await queryDatabase(db.url, 'UPDATE compliance.audit_workspace_heads SET seal = $1 WHERE workspace_id = $2', [
      sealer.seal({
        firstPrevHash: head.first_prev_hash,
        firstSeq: Number(head.first_seq),
        kind: 'workspace_head',
        lastHash: head.last_hash,
        lastSeq: Number(head.last_seq),
        workspaceId: A,
      }),
      A,
    ]);
    await repo.appendBatch([event({ workspaceId: A })]);
    expect(await handler.verifyWorkspace({ workspaceId: A })).toMatchObject({ checked: 7, head: { seq: 7 }, result: 'ok' });
  });

  it("refuses a record that claims a workspace without its place in that workspace's chain", async () => {
    await expect(
      queryDatabase(
        db.url,
        `INSERT INTO compliance.audit_events (id, occurred_at, service, actor_type, action, resource_type, outcome, details, seq, prev_hash, hash, workspace_id)
         VALUES (gen_random_uuid(), now(), 'gateway', 'account', 'app.deleted', 'app', 'success', '{}', 100000, 'x', 'y', $1)`,
        [A],
      ),
    ).rejects.toThrow(/CHK_audit_events_workspace_link/);
  });
});

describe('audit retention pruning', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let eighthRow: Record<string, unknown>;

  beforeAll(async () => {
    ({ app, db } = await startTrail());
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('prunes old records behind a checkpoint, keeps the rest verifiable, counts and audits the run', async () => {
    const repo = app.get(AuditEventRepository);
    const handler = app.get(AuditTrailHandler);
    const retention = app.get(AuditRetentionService);
    const old = Array.from({ length: 7 }, (_, i) => event({ occurredAt: new Date(Date.now() - 400 * DAY + i).toISOString() }));
    const recent = Array.from({ length: 3 }, () => event());
    await repo.appendBatch(old);
    await repo.appendBatch(recent);
    const oldHash = (await queryDatabase<{ hash: string }>(db.url, 'SELECT hash FROM compliance.audit_events WHERE seq = 7'))[0].hash;

    // The run at start-up may still hold the lock; another replica's run answers null.
    const run = await pollUntil(async () => (await retention.pruneOnce()) ?? undefined, { what: 'the retention lock' });
    expect(run).toMatchObject({ checkpointSeq: 8, pruned: 7 });
    const kept = await queryDatabase<{ id: string }>(db.url, 'SELECT id FROM compliance.audit_events ORDER BY seq');
    expect(kept.map((r) => r.id)).toEqual(expect.arrayContaining(recent.map((e) => e.id)));
    expect(kept.map((r) => r.id)).not.toEqual(expect.arrayContaining([old[0].id]));
    expect(await handler.verify()).toMatchObject({ checkpoint: { previous_hash: oldHash, seq: 8 }, result: 'ok' });
    expect(await register.getSingleMetricAsString('weft_audit_records_pruned_total')).toMatch(/weft_audit_records_pruned_total 7/);
    // The workspace's chain now begins at its first kept record, the 8th of ws-1, and still checks out.
    const pruned = await handler.verifyWorkspace({ workspaceId: 'ws-1' });
    expect(pruned).toMatchObject({ checked: 3, checkpoint: { seq: 8 }, head: { seq: 10 }, result: 'ok', scope: 'workspace' });
    // A record deleted from the workspace's kept start is found against that start.
    const [first] = await queryDatabase<Record<string, unknown>>(
      db.url,
      `SELECT * FROM compliance.audit_events WHERE workspace_id = 'ws-1' AND workspace_seq = 8`,
    );
    await tamper(db.url, `DELETE FROM compliance.audit_events WHERE id = $1`, [first!['id']]);
    expect(await handler.verifyWorkspace({ workspaceId: 'ws-1' })).toMatchObject({
      first_broken: { reason: 'checkpoint_mismatch', seq: 9 },
      result: 'broken',
    });
    await tamper(
      db.url,
      `INSERT INTO compliance.audit_events SELECT * FROM json_populate_record(NULL::compliance.audit_events, $1::json)`,
      [JSON.stringify(first)],
    );
    expect(await handler.verifyWorkspace({ workspaceId: 'ws-1' })).toMatchObject({ result: 'ok' });

    // The run is in the trail itself, after the kept records.
    await expectEventually(async () => {
      const rows = await queryDatabase<{ details: Record<string, unknown>; outcome: string }>(
        db.url,
        `SELECT details, outcome FROM compliance.audit_events WHERE action = 'audit.retention.prune'`,
      );
      expect(rows).toEqual([
        { details: expect.objectContaining({ checkpoint_seq: 8, pruned: 7, retention_days: 30 }), outcome: 'success' },
      ]);
    });
    expect(await handler.verify()).toMatchObject({ checked: 4, result: 'ok' });

    // Nothing more to prune: a second run deletes nothing.
    expect(await pollUntil(async () => (await retention.pruneOnce()) ?? undefined)).toMatchObject({ pruned: 0 });

    // Tampering with the kept part is still found, including its first record (checked against the checkpoint).
    await tamper(db.url, `UPDATE compliance.audit_events SET outcome = 'failure' WHERE seq = 9`);
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'hash_mismatch', seq: 9 }, result: 'broken' });
    await tamper(db.url, `UPDATE compliance.audit_events SET outcome = 'success' WHERE seq = 9`);
    [eighthRow] = await queryDatabase<Record<string, unknown>>(db.url, 'SELECT * FROM compliance.audit_events WHERE seq = 8');
    const eighthHash = eighthRow['hash'];
    await tamper(db.url, `DELETE FROM compliance.audit_events WHERE seq = 8`);
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'checkpoint_mismatch', seq: 9 }, result: 'broken' });
    // A checkpoint forged to hide the deletion (the right hash, the old checkpoint's seal replayed) is caught by its seal.
    const [checkpoint] = await queryDatabase<{ seal: string }>(db.url, 'SELECT seal FROM compliance.audit_checkpoints WHERE seq = 8');
    await queryDatabase(
      db.url,
      `INSERT INTO compliance.audit_checkpoints (seq, prev_hash, pruned_count, cutoff, seal) VALUES (9, $1, 1, now(), $2)`,
      [eighthHash, checkpoint.seal],
    );
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'seal_mismatch', seq: 9 }, result: 'broken' });
    await queryDatabase(db.url, 'UPDATE compliance.audit_checkpoints SET seal = NULL WHERE seq = 9');
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'seal_missing', seq: 9 }, result: 'broken' });
    // Nor does a restart bless it: an unsealed anchor beside sealed ones is not sealed at start.
    expect(await app.get(AuditSealService).sealUnsealed()).toEqual({ checkpoints: [], head: null, refused: true });
    expect(await handler.verify()).toMatchObject({ first_broken: { reason: 'seal_missing', seq: 9 }, result: 'broken' });
    // Re-sealing (secrets:rotate) refuses to bless it.
    const source = app.get(DatabaseService).dataSource;
    await expect(resealAuditAnchors(source, new AuditSealer(KEYRING))).rejects.toThrow(
      /Refusing to re-seal the audit chain: the checkpoint at record 9 has no seal/,
    );
  });

  it('refuses to prune a broken part of the chain, so pruning never erases evidence', async () => {
    const db2 = db;
    const repo = app.get(AuditEventRepository);
    // Not from the forged, unsealed checkpoint the test above left…
    await expect(repo.pruneBatch(new Date(Date.now() + DAY), 100)).rejects.toThrow(
      /Refusing to prune the audit trail: the retention checkpoint has no seal/,
    );
    // …nor, without it, across the record deleted there.
    await queryDatabase(db2.url, 'DELETE FROM compliance.audit_checkpoints WHERE seq = 9');
    await expect(repo.pruneBatch(new Date(Date.now() + DAY), 100)).rejects.toThrow(
      /Refusing to prune the audit trail: record 9 is broken \(checkpoint_mismatch/,
    );
    expect(Number((await queryDatabase<{ n: string }>(db2.url, 'SELECT count(*) AS n FROM compliance.audit_events'))[0].n)).toBeGreaterThan(
      0,
    );
  });

  it('re-seals the head and checkpoints under a new key, once, after checking them with the old one', async () => {
    const source = app.get(DatabaseService).dataSource;
    // Undo the tampering of the tests above: record 8 comes back.
    await tamper(
      db.url,
      `INSERT INTO compliance.audit_events SELECT * FROM json_populate_record(NULL::compliance.audit_events, $1::json)`,
      [JSON.stringify(eighthRow)],
    );
    expect(await app.get(AuditTrailHandler).verify()).toMatchObject({ result: 'ok' });
    const rotated = new AuditSealer({ currentKeyId: 'k2', keys: { ...KEYRING.keys, k2: 'audit-trail-second-key-0123456789ab' } });
    // The head, the checkpoint, and the head of workspace ws-1.
    expect(await resealAuditAnchors(source, rotated)).toEqual({ resealed: 3, scanned: 3 });
    expect(await resealAuditAnchors(source, rotated)).toEqual({ resealed: 0, scanned: 3 });
    const seals = await queryDatabase<{ seal: string }>(
      db.url,
      'SELECT seal FROM compliance.audit_chain_head UNION ALL SELECT seal FROM compliance.audit_checkpoints',
    );
    expect(seals.map((r) => r.seal.split(':')[0])).toEqual(['k2', 'k2']);
    // This service was started with k1 only: it cannot check seals under k2 and says so.
    expect(await app.get(AuditTrailHandler).verify()).toMatchObject({ first_broken: { reason: 'seal_key_unknown' }, result: 'broken' });
  });

  it('seals a chain from before seals, checkpoints included, at start (the upgrade), and records which', async () => {
    await queryDatabase(db.url, 'UPDATE compliance.audit_chain_head SET seal = NULL');
    await queryDatabase(db.url, 'UPDATE compliance.audit_checkpoints SET seal = NULL');
    expect(await app.get(AuditTrailHandler).verify()).toMatchObject({ first_broken: { reason: 'seal_missing' }, result: 'broken' });
    const sealed = await app.get(AuditSealService).sealUnsealed();
    expect(sealed).toMatchObject({ checkpoints: [8], refused: false });
    expect(await app.get(AuditTrailHandler).verify()).toMatchObject({ checkpoint: { seq: 8 }, result: 'ok' });
    await expectEventually(async () => {
      const rows = await queryDatabase<{ details: Record<string, unknown> }>(
        db.url,
        `SELECT details FROM compliance.audit_events WHERE action = 'audit.chain.sealed'`,
      );
      expect(rows).toEqual([{ details: { checkpoints: [8], head_seq: sealed.head } }]);
    });
  });
});
