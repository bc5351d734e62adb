import { randomUUID } from 'node:crypto';
import type { EraseStepRequest } from '@weft/contracts';
import type { DatabaseService } from '@weft/persistence';
import { createTestDatabase, infraUrls, queryDatabase, type TestDatabase } from '@weft/testing';
import { insertDatasetWithDocument, startRagDatabase } from '../rag-test-database.util';
import { PrivacyRepository } from './privacy.repository';

describe('rag erasure of an account: uploader names and knowledge tags (real Postgres)', () => {
  let db: TestDatabase;
  let database: DatabaseService;
  const query = (sql: string, params: unknown[] = []) => queryDatabase(db.url, sql, params);

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ database } = await startRagDatabase({ ...infraUrls(), databaseUrl: db.url }, 'rag-privacy-test'));
  });

  afterAll(async () => {
    await database?.onApplicationShutdown();
    await db?.drop();
  });

  const erase = (accountId: string, workspaceIds: string[], deleteWorkspaceIds: string[] = []) => {
    const request: EraseStepRequest = {
      deleteDocuments: false,
      deleteWorkspaceIds,
      requestId: randomUUID(),
      subject: { accountId, type: 'account' },
      workspaceIds,
    };
    return new PrivacyRepository(database).erase(request);
  };

  it("clears the erased account's name from the documents it added, keeping the documents and everyone else's names", async () => {
    const workspace = randomUUID();
    const erased = randomUUID();
    const other = randomUUID();
    const { documentId: own } = await insertDatasetWithDocument(query, workspace);
    const { documentId: theirs } = await insertDatasetWithDocument(query, workspace);
    const builtIns = (name: string) => JSON.stringify({ author: 'kept', document_name: 'doc', uploader: name });
    await query(`UPDATE rag.documents SET created_by = $2, uploader = 'Ada', doc_metadata = $3::jsonb WHERE id = $1`, [
      own,
      erased,
      builtIns('Ada'),
    ]);
    await query(`UPDATE rag.documents SET created_by = $2, uploader = 'Grace', doc_metadata = $3::jsonb WHERE id = $1`, [
      theirs,
      other,
      builtIns('Grace'),
    ]);

    const counts = await erase(erased, [workspace]);
    expect(counts['uploader_names']).toBe(1);
    const rows = await query(
      `SELECT id, uploader, doc_metadata FROM rag.documents WHERE id = ANY($1::uuid[]) ORDER BY uploader NULLS FIRST`,
      [[own, theirs]],
    );
    expect(rows).toEqual([
      { doc_metadata: { author: 'kept', document_name: 'doc', uploader: null }, id: own, uploader: null },
      { doc_metadata: { author: 'kept', document_name: 'doc', uploader: 'Grace' }, id: theirs, uploader: 'Grace' },
    ]);
    // Idempotent: a step run again finds nothing left to clear.
    expect((await erase(erased, [workspace]))['uploader_names']).toBe(0);
  });

  it("deletes a deleted workspace's tags and bindings with its datasets, and no other workspace's", async () => {
    const gone = randomUUID();
    const stays = randomUUID();
    const tagged = async (workspace: string) => {
      const { datasetId } = await insertDatasetWithDocument(query, workspace);
      const tagId = randomUUID();
      await query(`INSERT INTO rag.tags (id, workspace_id, name) VALUES ($1, $2, 'linen')`, [tagId, workspace]);
      await query(`INSERT INTO rag.tag_bindings (id, workspace_id, tag_id, target_id) VALUES ($1, $2, $3, $4)`, [
        randomUUID(),
        workspace,
        tagId,
        datasetId,
      ]);
      return tagId;
    };
    await tagged(gone);
    const kept = await tagged(stays);

    const counts = await erase(randomUUID(), [gone], [gone]);
    expect(counts).toMatchObject({ datasets: 1, tag_bindings: 1, tags: 1 });
    expect(await query(`SELECT count(*)::int AS n FROM rag.tags WHERE workspace_id = $1`, [gone])).toEqual([{ n: 0 }]);
    expect(await query(`SELECT id FROM rag.tags WHERE workspace_id = $1`, [stays])).toEqual([{ id: kept }]);
    expect(await query(`SELECT count(*)::int AS n FROM rag.tag_bindings WHERE tag_id = $1`, [kept])).toEqual([{ n: 1 }]);
  });
});
