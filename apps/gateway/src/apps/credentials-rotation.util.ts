import { resealColumn, type ResealScope, type SealedColumn, type SecretRotationCount } from '@weft/platform';
import type { SecretBox } from '@weft/security';
import type { DataSource } from 'typeorm';
import { providerCredentialsBinding } from './app.service';

/** Where provider credentials are sealed, each bound to its workspace and provider. */
export const PROVIDER_CREDENTIALS_COLUMN: SealedColumn = {
  binding: (row) => providerCredentialsBinding(row['workspace_id']!, row['provider']!),
  column: 'sealed_credentials',
  keys: ['workspace_id', 'provider'],
  table: 'gateway.provider_credentials',
};

/**
 * Re-seals provider credentials under the current key, and binds those of the old unbound format to their
 * rows (`legacyOnly`: only those, as every start does after the upgrade); see resealColumn.
 */
export function rotateProviderCredentials(source: DataSource, box: SecretBox, scope: ResealScope): Promise<SecretRotationCount> {
  return resealColumn(source, box, PROVIDER_CREDENTIALS_COLUMN, scope);
}
