import type { SecretRotationCount } from '@weft/platform';
import type { SecretBox } from '@weft/security';
import type { DataSource } from 'typeorm';
import { resealSecrets } from './secret-environment.util';

/**
 * Re-seals the secrets of every workflow version (drafts and published ones), a batch at a time in id
 * order: those sealed under an older key, and those of the old unbound format (`v1`), which are bound to
 * the app whose row holds them. With `legacyOnly`, only the latter (what every start does after the
 * upgrade). A row is written back only if its document is still the one read (a draft saved meanwhile is
 * current already); a second run finds nothing to do. A value that does not open for its own app is left
 * as it is and counted in `refused`.
 */
export async function rotateWorkflowSecrets(
  source: DataSource,
  box: SecretBox,
  which: { currentKeyId: string } | { legacyOnly: true },
  batchSize = 100,
): Promise<SecretRotationCount> {
  const legacyOnly = 'legacyOnly' in which;
  let scanned = 0;
  let resealed = 0;
  let refused = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  // Documents holding an old-format value (`"v1:<id>:`), or, for a rotation, a value under another key than the current one.
  const pattern = legacyOnly ? '"v1:[A-Za-z0-9_-]+:' : `"(v1:[A-Za-z0-9_-]+|v2:(?!${which.currentKeyId}:)[A-Za-z0-9_-]+):`;
  for (;;) {
    const rows: { app_id: string; document: Record<string, unknown>; id: string; workspace_id: string }[] = await source.query(
      `SELECT id, workspace_id, app_id, document FROM orchestrator.workflows
        WHERE id > $1 AND document::text ~ '"v[12]:[A-Za-z0-9_-]+:' AND document::text ~ $2
        ORDER BY id LIMIT $3`,
      [after, pattern, batchSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const result = resealSecrets(row.document, box, { appId: row.app_id, workspaceId: row.workspace_id }, { legacyOnly });
      scanned += result.changed + result.refused;
      refused += result.refused;
      if (result.changed === 0) continue;
      const [, updated] = (await source.query(
        `UPDATE orchestrator.workflows SET document = $1::jsonb WHERE id = $2 AND document = $3::jsonb`,
        [JSON.stringify(result.document), row.id, JSON.stringify(row.document)],
      )) as [unknown, number];
      if (updated === 1) resealed += result.changed;
    }
    after = rows[rows.length - 1]!.id;
  }
  return { refused, resealed, scanned, where: 'orchestrator.workflows (secret environment values and http-request API keys)' };
}
