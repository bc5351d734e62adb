import type { SealBinding, SecretBox } from '@weft/security';
import type { DataSource } from 'typeorm';
import type { SecretRotationCount } from './bootstrap';

/** A table column holding one sealed value per row, and what each value is bound to. */
export interface SealedColumn {
  /** What each row's value is sealed to, from the row's key columns and `extra` columns. */
  binding: (row: Record<string, string>) => SealBinding;
  column: string;
  /** Further columns the binding reads. */
  extra?: readonly string[];
  /** The primary key's columns, in order (keyset pages). */
  keys: readonly [string, ...string[]];
  /** `schema.table`. */
  table: string;
}

/** Which values a re-seal takes: those not sealed under `currentKeyId` in the current format (rotation), or only old-format ones. */
export type ResealScope = { currentKeyId: string } | { legacyOnly: true };

/**
 * Re-seals the values of one sealed column, a batch at a time in key order: those sealed under another key
 * than the current one, and those of the old unbound format (`v1`), which are bound to the row they are read
 * from; with `legacyOnly`, only the latter (what a service does at start after the upgrade). A row is updated
 * only if it still holds the value read (one written meanwhile is current already), so this is safe while the
 * service serves, and running it again changes nothing. A value that does not open for its own row (copied
 * from another, altered, or under a key no longer configured) is left as it is and counted in `refused`:
 * re-sealing must never make it valid.
 */
export async function resealColumn(
  source: DataSource,
  box: SecretBox,
  place: SealedColumn,
  scope: ResealScope,
  batchSize = 200,
): Promise<SecretRotationCount> {
  const keys = place.keys.map((k) => `"${k}"`).join(', ');
  const selected = [...place.keys, ...(place.extra ?? [])].map((k) => `"${k}"`).join(', ');
  const column = `"${place.column}"`;
  if ('currentKeyId' in scope && !/^[A-Za-z0-9_-]+$/.test(scope.currentKeyId)) throw new Error(`Invalid key id "${scope.currentKeyId}"`);
  // Key ids are checked above (and by the keyring), so the current one can stand in the SQL.
  const filter = 'legacyOnly' in scope ? `${column} LIKE 'v1:%'` : `${column} NOT LIKE 'v2:${scope.currentKeyId}:%'`;
  let scanned = 0;
  let resealed = 0;
  let refused = 0;
  let after: string[] | null = null;
  for (;;) {
    const page = after === null ? '' : `AND (${keys}) > (${place.keys.map((_, i) => `$${i + 1}`).join(', ')})`;
    const rows: Record<string, string>[] = await source.query(
      `SELECT ${selected}, ${column} AS sealed FROM ${place.table} WHERE ${filter} ${page} ORDER BY ${keys} LIMIT ${Math.trunc(batchSize)}`,
      after ?? [],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      scanned += 1;
      let next: string;
      try {
        next = box.reseal(row['sealed']!, place.binding(row));
      } catch {
        refused += 1;
        continue;
      }
      const match = place.keys.map((k, i) => `"${k}" = $${i + 3}`).join(' AND ');
      const [, updated] = (await source.query(`UPDATE ${place.table} SET ${column} = $1 WHERE ${column} = $2 AND ${match}`, [
        next,
        row['sealed'],
        ...place.keys.map((k) => row[k]),
      ])) as [unknown, number];
      resealed += updated;
    }
    const last = rows[rows.length - 1]!;
    after = place.keys.map((k) => last[k]!);
  }
  return { refused, resealed, scanned, where: place.table };
}

/** The check constraint that keeps values of the old unbound format out of a table (added `NOT VALID` by its migration). */
export interface UnboundFormatConstraint {
  name: string;
  /** `schema.table`. */
  table: string;
}

/**
 * The start-up pass that binds values of the old format to their rows, done once: skipped when the
 * constraint is already validated, which the pass does once it leaves no such value behind (Postgres then
 * knows every row holds to it, and no later start has to scan the table again). A value that could not be
 * re-sealed (`refused`) keeps the constraint unvalidated, so the next start tries again.
 */
export async function bindLegacyOnce(
  source: DataSource,
  constraint: UnboundFormatConstraint,
  pass: () => Promise<SecretRotationCount>,
): Promise<SecretRotationCount & { skipped: boolean }> {
  const [row] = (await source.query(`SELECT convalidated FROM pg_constraint WHERE conname = $1 AND conrelid = $2::regclass`, [
    constraint.name,
    constraint.table,
  ])) as { convalidated: boolean }[];
  if (row?.convalidated) return { resealed: 0, scanned: 0, skipped: true, where: constraint.table };
  const count = await pass();
  // Validating reads the table once more and takes no lock that stops reads or writes; it fails if an old value is left.
  if (row && !count.refused) await source.query(`ALTER TABLE ${constraint.table} VALIDATE CONSTRAINT "${constraint.name}"`);
  return { ...count, skipped: false };
}
