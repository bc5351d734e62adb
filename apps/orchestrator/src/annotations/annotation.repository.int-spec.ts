import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { databaseConfig, loadConfig } from '@weft/config';
import { DatabaseService, PersistenceModule } from '@weft/persistence';
import { createTestDatabase, queryDatabase, type TestDatabase } from '@weft/testing';
import { orchestratorDatabase } from '../database.config';
import { AnnotationRepository } from './annotation.repository';
import { vectorLiteral } from './annotation.util';

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return vectorLiteral(v.map((x) => x / n));
};

describe('AnnotationRepository against Postgres', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let repo: AnnotationRepository;
  const workspaceId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    const database = loadConfig('test', databaseConfig, { DATABASE_URL: db.url, DATABASE_POOL_MAX: '4' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          applicationName: 'weft-annotation-repository-test',
          database,
          definition: orchestratorDatabase,
          migrateOnStart: true,
        }),
      ],
      providers: [AnnotationRepository],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.get(DatabaseService).whenReady();
    repo = app.get(AnnotationRepository);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const annotate = (appId: string, question: string, answer = `answer to ${question}`, ws = workspaceId) =>
    repo.create({ accountId: null, answer, appId, id: randomUUID(), question, workspaceId: ws });

  it('finds the nearest question in the model`s space only, within the app and workspace', async () => {
    const appId = randomUUID();
    const near = await annotate(appId, 'near');
    const far = await annotate(appId, 'far');
    const otherModel = await annotate(appId, 'other model');
    await repo.storeEmbeddings(workspaceId, appId, 'model-a', [
      { id: near.id, question: 'near', vector: unit(1, 0.1, 0) },
      { id: far.id, question: 'far', vector: unit(0, 0, 1) },
    ]);
    // Another model's vectors may have another length: they are never compared with this model's.
    await repo.storeEmbeddings(workspaceId, appId, 'model-b', [{ id: otherModel.id, question: 'other model', vector: unit(1, 0) }]);
    const found = await repo.nearest(workspaceId, appId, 'model-a', unit(1, 0, 0));
    expect(found).toMatchObject({ answer: 'answer to near', id: near.id });
    expect(found!.score).toBeCloseTo(1 / Math.hypot(1, 0.1), 5);
    expect(await repo.nearest(workspaceId, appId, 'model-c', unit(1, 0, 0))).toBeNull();
    expect(await repo.nearest(randomUUID(), appId, 'model-a', unit(1, 0, 0))).toBeNull();
    expect(await repo.nearest(workspaceId, randomUUID(), 'model-a', unit(1, 0, 0))).toBeNull();
    expect((await repo.unembedded(workspaceId, appId, 'model-a', 10)).map((r) => r.id)).toEqual([otherModel.id]);
  });

  it('keeps no embedding of a question that changed after it was embedded, and drops it when the question is edited', async () => {
    const appId = randomUUID();
    const row = await annotate(appId, 'first wording');
    await repo.update(workspaceId, appId, row.id, 'second wording', 'a');
    await repo.storeEmbeddings(workspaceId, appId, 'm', [{ id: row.id, question: 'first wording', vector: unit(1, 1) }]);
    expect(await repo.unembedded(workspaceId, appId, 'm', 10)).toEqual([{ id: row.id, question: 'second wording' }]);
    await repo.storeEmbeddings(workspaceId, appId, 'm', [{ id: row.id, question: 'second wording', vector: unit(1, 1) }]);
    expect(await repo.unembedded(workspaceId, appId, 'm', 10)).toEqual([]);
    // The same question, a new answer: the embedding stays.
    await repo.update(workspaceId, appId, row.id, 'second wording', 'b');
    expect(await repo.unembedded(workspaceId, appId, 'm', 10)).toEqual([]);
    await repo.update(workspaceId, appId, row.id, 'third wording', 'b');
    expect(await repo.unembedded(workspaceId, appId, 'm', 10)).toEqual([{ id: row.id, question: 'third wording' }]);
    // Another workspace's update or delete of the id changes nothing.
    expect(await repo.update(randomUUID(), appId, row.id, 'stolen', 'stolen')).toBeNull();
    expect(await repo.delete(randomUUID(), appId, row.id)).toBe(false);
    expect(await repo.delete(workspaceId, randomUUID(), row.id)).toBe(false);
    expect((await repo.page(workspaceId, appId, { keyword: '', limit: 10, page: 1 })).rows[0]).toMatchObject({ question: 'third wording' });
  });

  it('runs one job per app at a time, oldest first, and takes over a job whose lease expired', async () => {
    const appId = randomUUID();
    const job = (action: 'enable' | 'disable') => ({
      accountId: null,
      action,
      appId,
      embeddingModel: null,
      embeddingProvider: null,
      id: randomUUID(),
      scoreThreshold: null,
      workspaceId,
    });
    const enable = job('enable');
    const disable = job('disable');
    await repo.insertJob(enable);
    await repo.insertJob(disable);
    expect(await repo.inFlight(workspaceId, appId, 'enable')).toMatchObject({ id: enable.id, status: 'waiting' });

    const first = await repo.claimNext('instance-a', 60_000, appId);
    expect(first).toMatchObject({ id: enable.id, status: 'processing' });
    // The disable job waits while the enable job runs under a live lease, for any instance.
    expect(await repo.claimNext('instance-b', 60_000, appId)).toBeNull();
    expect(await repo.claimNext('instance-b', 60_000, null)).toBeNull();

    // The runner dies: once its lease has expired, another instance takes the job over; the dead one's finish is ignored.
    await queryDatabase(db.url, `UPDATE orchestrator.annotation_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [
      enable.id,
    ]);
    expect(await repo.claimNext('instance-b', 60_000, null)).toMatchObject({ id: enable.id });
    await repo.finishJob(enable.id, 'instance-a', 'error', 'too late');
    expect(await repo.findJob(workspaceId, appId, 'enable', enable.id)).toMatchObject({ error: '', status: 'processing' });
    await repo.finishJob(enable.id, 'instance-b', 'completed', '');
    expect(await repo.findJob(workspaceId, appId, 'enable', enable.id)).toMatchObject({ status: 'completed' });
    expect(await repo.inFlight(workspaceId, appId, 'enable')).toBeNull();

    expect(await repo.claimNext('instance-a', 60_000, appId)).toMatchObject({ id: disable.id });
    // A job is found under its own app, workspace and action only.
    expect(await repo.findJob(workspaceId, appId, 'enable', disable.id)).toBeNull();
    expect(await repo.findJob(randomUUID(), appId, 'disable', disable.id)).toBeNull();
    expect(await repo.findJob(workspaceId, randomUUID(), 'disable', disable.id)).toBeNull();
  });

  it('turns reply off by dropping the setting and the embeddings, in one step', async () => {
    const appId = randomUUID();
    const row = await annotate(appId, 'q');
    await repo.saveSetting({ appId, embeddingModel: 'm', embeddingProvider: 'p', modelKey: 'k', scoreThreshold: 0.8, workspaceId }, null);
    await repo.storeEmbeddings(workspaceId, appId, 'k', [{ id: row.id, question: 'q', vector: unit(1, 2) }]);
    expect(await repo.setting(workspaceId, appId)).toMatchObject({ modelKey: 'k', scoreThreshold: 0.8 });
    expect(await repo.setting(randomUUID(), appId)).toBeNull();
    expect((await repo.settingsNeedingEmbeddings(100)).map((s) => s.appId)).not.toContain(appId);
    await annotate(appId, 'added later');
    expect((await repo.settingsNeedingEmbeddings(100)).map((s) => s.appId)).toContain(appId);
    await repo.removeSetting(workspaceId, appId);
    expect(await repo.setting(workspaceId, appId)).toBeNull();
    expect(await repo.nearest(workspaceId, appId, 'k', unit(1, 2))).toBeNull();
  });
});
