import { dataExportKeyBinding } from '@weft/contracts';
import { resealColumn, type ResealScope, type SealedColumn, type SecretRotationCount } from '@weft/platform';
import type { SecretBox } from '@weft/security';
import type { DataSource } from 'typeorm';

/** Where the keys of export archives are sealed, each bound to its export and account. */
export const EXPORT_KEY_COLUMN: SealedColumn = {
  binding: (row) => dataExportKeyBinding(row['id']!, row['account_id']!),
  column: 'sealed_key',
  extra: ['account_id'],
  keys: ['id'],
  table: 'compliance.data_exports',
};

/**
 * Re-seals the keys of export archives not downloaded yet under the current key, and binds those of the old
 * unbound format to their exports (`legacyOnly`: only those, as every start does after the upgrade).
 */
export function rotateExportKeys(source: DataSource, box: SecretBox, scope: ResealScope): Promise<SecretRotationCount> {
  return resealColumn(source, box, EXPORT_KEY_COLUMN, scope);
}
