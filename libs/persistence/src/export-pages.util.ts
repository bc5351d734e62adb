import type { DatabaseService } from './database.service';

/** One kind of rows of a personal data export: a query ending in ORDER BY (a stable order), without LIMIT. */
export interface ExportSection {
  name: string;
  params: unknown[];
  sql: string;
}

/** A page of an export: records tagged with their section, and where the next page starts (null at the end). */
export interface ExportSectionsPage {
  next_cursor: string | null;
  records: { data: Record<string, unknown>; section: string }[];
}

/** Rows read per query while filling a page. */
const BATCH = 100;

/**
 * Walks the sections in order, a batch of rows at a time, and cuts the page once its records reach
 * `budgetBytes` of JSON (so an answer stays well under the NATS payload limit; one record larger than that
 * still goes alone). The cursor is `<section index>:<offset>`: exports are rare and short-lived, so offset
 * paging over a stable order is enough.
 */
export async function exportSectionsPage(
  db: DatabaseService,
  sections: ExportSection[],
  cursor: string | null,
  budgetBytes = 400_000,
): Promise<ExportSectionsPage> {
  let [index, offset] = parseCursor(cursor);
  const records: ExportSectionsPage['records'] = [];
  let bytes = 0;
  while (index < sections.length) {
    const section = sections[index];
    const rows = await db.rows<Record<string, unknown>>(`${section.sql} LIMIT ${BATCH} OFFSET ${offset}`, section.params);
    for (const [i, row] of rows.entries()) {
      const size = Buffer.byteLength(JSON.stringify(row));
      if (records.length > 0 && bytes + size > budgetBytes) return { next_cursor: `${index}:${offset + i}`, records };
      records.push({ data: row, section: section.name });
      bytes += size;
    }
    if (rows.length < BATCH) {
      index += 1;
      offset = 0;
    } else {
      offset += BATCH;
    }
  }
  return { next_cursor: null, records };
}

function parseCursor(cursor: string | null): [number, number] {
  if (cursor === null) return [0, 0];
  const match = /^(\d{1,4}):(\d{1,12})$/.exec(cursor);
  if (!match) throw new Error(`Not an export cursor: "${cursor}"`);
  return [Number(match[1]), Number(match[2])];
}
