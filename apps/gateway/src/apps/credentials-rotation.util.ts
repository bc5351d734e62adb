import type { SecretRotationCount } from '@weft/platform';
import type { SecretBox } from '@weft/security';
import type { DataSource } from 'typeorm';

/**
 * Re-seals provider credentials sealed under an older key, a batch at a time in primary-key order. Each
 * row is updated only if it still holds the value read (a credential saved meanwhile is already under the
 * current key), so the command is safe to run while gateways serve, and running it again changes nothing.
 */
export async function rotateProviderCredentials(
  source: DataSource,
  box: SecretBox,
  currentKeyId: string,
  batchSize = 200,
): Promise<SecretRotationCount> {
  let scanned = 0;
  let resealed = 0;
  let after: [string, string] = ['00000000-0000-0000-0000-000000000000', ''];
  for (;;) {
    const rows: { provider: string; sealed_credentials: string; workspace_id: string }[] = await source.query(
      `SELECT workspace_id, provider, sealed_credentials FROM gateway.provider_credentials
        WHERE (workspace_id, provider) > ($1, $2) AND sealed_credentials NOT LIKE $3
        ORDER BY workspace_id, provider LIMIT $4`,
      [after[0], after[1], `v1:${currentKeyId}:%`, batchSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      scanned += 1;
      const next = box.reseal(row.sealed_credentials);
      const [, updated] = (await source.query(
        `UPDATE gateway.provider_credentials SET sealed_credentials = $1 WHERE workspace_id = $2 AND provider = $3 AND sealed_credentials = $4`,
        [next, row.workspace_id, row.provider, row.sealed_credentials],
      )) as [unknown, number];
      resealed += updated;
    }
    const last = rows[rows.length - 1]!;
    after = [last.workspace_id, last.provider];
  }
  return { resealed, scanned, where: 'gateway.provider_credentials' };
}
