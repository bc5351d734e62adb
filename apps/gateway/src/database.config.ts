import type { PersistenceDefinition } from '@weft/persistence';
import { CreateAccountsAppsKeys1764200000000 } from '../migrations/1764200000000-create-accounts-apps-keys';
import { AccountEntity, WorkspaceEntity, WorkspaceMemberEntity } from './accounts/account.entity';
import { ApiKeyEntity, AppEntity, EndUserEntity, ProviderCredentialEntity } from './apps/app.entity';
import { UploadFileEntity } from './files/upload-file.entity';

/** The gateway's data, in the "gateway" schema: accounts, workspaces, apps, keys, end users and uploads. */
export const gatewayDatabase: PersistenceDefinition = {
  schema: 'gateway',
  entities: [AccountEntity, WorkspaceEntity, WorkspaceMemberEntity, AppEntity, ApiKeyEntity, EndUserEntity, ProviderCredentialEntity, UploadFileEntity],
  migrations: [CreateAccountsAppsKeys1764200000000],
};
