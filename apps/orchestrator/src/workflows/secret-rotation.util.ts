import type { SecretRotationCount } from '@weft/platform';
import type { SecretBox } from '@weft/security';
import type { DataSource } from 'typeorm';
import { resealSecrets } from './secret-environment.util';

/**
 * Re-seals the secrets of every workflow version (drafts and published ones) sealed under an older key,
 * a batch at a time in id order. A row is written back only if its document is still the one read (a
 * draft saved meanwhile is sealed under the current key already); a second run finds nothing to do.
 */
export async function rotateWorkflowSecrets(
  source: DataSource,
  box: SecretBox,
  currentKeyId: string,
  batchSize = 100,
): Promise<SecretRotationCount> {
  let scanned = 0;
  let resealed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    // Only documents holding a value sealed under another key: `"v1:<id>:` with an id other than the current one.
    const rows: { document: Record<string, unknown>; id: string }[] = await source.query(
      `SELECT id, document FROM orchestrator.workflows
        WHERE id > $1 AND document::text ~ '"v1:[A-Za-z0-9_-]+:' AND document::text ~ $2
        ORDER BY id LIMIT $3`,
      [after, `"v1:(?!${currentKeyId}:)[A-Za-z0-9_-]+:`, batchSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const { changed, document } = resealSecrets(row.document, box);
      scanned += changed;
      if (changed === 0) continue;
      const [, updated] = (await source.query(
        `UPDATE orchestrator.workflows SET document = $1::jsonb WHERE id = $2 AND document = $3::jsonb`,
        [JSON.stringify(document), row.id, JSON.stringify(row.document)],
      )) as [unknown, number];
      if (updated === 1) resealed += changed;
    }
    after = rows[rows.length - 1]!.id;
  }
  return { resealed, scanned, where: 'orchestrator.workflows (secret environment values and http-request API keys)' };
}
