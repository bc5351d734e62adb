import { createEmptyDatabase, queryDatabase, type TestDatabase } from '@weft/testing';
import type { DatabaseService } from './database.service';
import { exportSectionsPage, type ExportSection } from './export-pages.util';

describe('exportSectionsPage (real Postgres)', () => {
  let db: TestDatabase;
  // Only `rows` is used by the pager; each call is its own connection here, which is all it needs.
  const database = { rows: (sql: string, params: unknown[]) => queryDatabase(db.url, sql, params) } as unknown as DatabaseService;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await queryDatabase(db.url, `CREATE TABLE notes (id int PRIMARY KEY, owner text, body text)`);
    await queryDatabase(
      db.url,
      `INSERT INTO notes SELECT i, CASE WHEN i % 3 = 0 THEN 'other' ELSE 'me' END, repeat('x', 1000) FROM generate_series(1, 450) i`,
    );
    await queryDatabase(db.url, `CREATE TABLE tags (id int PRIMARY KEY, owner text)`);
    await queryDatabase(db.url, `INSERT INTO tags SELECT i, 'me' FROM generate_series(1, 5) i`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const sections: ExportSection[] = [
    { name: 'empty', params: ['me'], sql: `SELECT id FROM notes WHERE owner = $1 AND id < 0 ORDER BY id` },
    { name: 'notes', params: ['me'], sql: `SELECT id, body FROM notes WHERE owner = $1 ORDER BY id` },
    { name: 'tags', params: ['me'], sql: `SELECT id FROM tags WHERE owner = $1 ORDER BY id` },
  ];

  it('walks every section in order, each row exactly once, in pages cut by size', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await exportSectionsPage(database, sections, cursor, 20_000);
      expect(Buffer.byteLength(JSON.stringify(page.records.map((r) => r.data)))).toBeLessThan(22_000);
      seen.push(...page.records.map((r) => `${r.section}:${String(r.data['id'])}`));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    const mine = Array.from({ length: 450 }, (_, i) => i + 1).filter((i) => i % 3 !== 0);
    expect(seen).toEqual([...mine.map((i) => `notes:${i}`), ...[1, 2, 3, 4, 5].map((i) => `tags:${i}`)]);
    expect(pages).toBeGreaterThan(10);
  });

  it('answers everything in one page when it fits, and refuses a cursor it did not make', async () => {
    const page = await exportSectionsPage(database, sections, null, 10_000_000);
    expect(page.next_cursor).toBeNull();
    expect(page.records).toHaveLength(305);
    await expect(exportSectionsPage(database, sections, 'nope')).rejects.toThrow(/Not an export cursor/);
  });
});
