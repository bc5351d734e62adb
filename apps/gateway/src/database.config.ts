import { auditOutboxMigration } from '@weft/audit';
import type { PersistenceDefinition } from '@weft/persistence';
import { CreateAccountsAppsKeys1764200000000 } from '../migrations/1764200000000-create-accounts-apps-keys';
import { CreateConversationsAndMessages1764300000000 } from '../migrations/1764300000000-create-conversations-and-messages';
import { CreateSessionsAndInvitations1764500000000 } from '../migrations/1764500000000-create-sessions-and-invitations';
import { AddAppRequestLimits1764510000000 } from '../migrations/1764510000000-add-app-request-limits';
import { CreateErasedUsage1764560000000 } from '../migrations/1764560000000-create-erased-usage';
import { DropMovedConversations1764700000000 } from '../migrations/1764700000000-drop-moved-conversations';
import { CreateVerificationCodes1764800000000 } from '../migrations/1764800000000-create-verification-codes';
import { BindSealedCredentials1764800000001 } from '../migrations/1764800000001-bind-sealed-credentials';
import { CreateToolProviders1764950000000 } from '../migrations/1764950000000-create-tool-providers';
import { AddMcpProviderUniqueness1764967000000 } from '../migrations/1764967000000-add-mcp-provider-uniqueness';
import { CreateToolFiles1765100000000 } from '../migrations/1765100000000-create-tool-files';
import { AccountEntity, WorkspaceEntity, WorkspaceMemberEntity } from './accounts/account.entity';
import { AuthSessionEntity, RefreshTokenEntity } from './accounts/auth-session.entity';
import { VerificationCodeEntity } from './accounts/verification-code.entity';
import { ApiKeyEntity, AppEntity, EndUserEntity, ProviderCredentialEntity } from './apps/app.entity';
import { UploadFileEntity } from './files/upload-file.entity';
import { InvitationEntity } from './workspaces/invitation.entity';

/** The gateway's data, in the "gateway" schema: accounts, workspaces, apps, keys, end users and uploads. */
export const gatewayDatabase: PersistenceDefinition = {
  schema: 'gateway',
  entities: [
    AccountEntity,
    WorkspaceEntity,
    WorkspaceMemberEntity,
    AppEntity,
    ApiKeyEntity,
    EndUserEntity,
    ProviderCredentialEntity,
    UploadFileEntity,
    AuthSessionEntity,
    RefreshTokenEntity,
    InvitationEntity,
    VerificationCodeEntity,
  ],
  migrations: [
    CreateAccountsAppsKeys1764200000000,
    CreateConversationsAndMessages1764300000000,
    CreateSessionsAndInvitations1764500000000,
    AddAppRequestLimits1764510000000,
    CreateErasedUsage1764560000000,
    DropMovedConversations1764700000000,
    CreateVerificationCodes1764800000000,
    BindSealedCredentials1764800000001,
    CreateToolProviders1764950000000,
    AddMcpProviderUniqueness1764967000000,
    CreateToolFiles1765100000000,
    auditOutboxMigration('gateway'),
  ],
};
