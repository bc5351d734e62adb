import { resealColumn, type ResealScope, type SealedColumn, type SecretRotationCount } from '@weft/platform';
import type { SecretBox } from '@weft/security';
import type { DataSource } from 'typeorm';
import { toolProviderBinding } from '../tools/tool-provider.service';
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

/** Where tool provider secrets are sealed, each bound to its workspace, type and name. */
export const TOOL_PROVIDER_SECRETS_COLUMN: SealedColumn = {
  binding: (row) => toolProviderBinding(row['workspace_id']!, row['provider_type'] as 'builtin' | 'api' | 'mcp', row['name']!),
  column: 'sealed_credentials',
  keys: ['workspace_id', 'provider_type', 'name'],
  table: 'gateway.tool_providers',
};

/** Re-seals tool provider secrets under the current key. */
export function rotateToolProviderSecrets(source: DataSource, box: SecretBox, scope: ResealScope): Promise<SecretRotationCount> {
  return resealColumn(source, box, TOOL_PROVIDER_SECRETS_COLUMN, scope);
}
