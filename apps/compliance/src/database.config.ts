import { auditOutboxMigration } from '@weft/audit';
import type { PersistenceDefinition } from '@weft/persistence';
import { CreateAuditEvents1764150000000 } from '../migrations/1764150000000-create-audit-events';
import { ChainAuditEvents1764530000000 } from '../migrations/1764530000000-chain-audit-events';
import { CreatePrivacyRequests1764560000000 } from '../migrations/1764560000000-create-privacy-requests';
import { SealAuditAnchors1764620000000 } from '../migrations/1764620000000-seal-audit-anchors';
import { BindSealedExportKeys1764800000000 } from '../migrations/1764800000000-bind-sealed-export-keys';
import { ChainAuditWorkspaces1764810000000 } from '../migrations/1764810000000-chain-audit-workspaces';
import { AuditChainHeadEntity } from './audit/audit-chain-head.entity';
import { AuditCheckpointEntity } from './audit/audit-checkpoint.entity';
import { AuditEventEntity } from './audit/audit-event.entity';
import { AuditWorkspaceHeadEntity } from './audit/audit-workspace-head.entity';
import { DataExportEntity, ErasureRequestEntity, ErasureStepEntity, LegalHoldEntity } from './privacy/privacy.entity';

/**
 * The compliance service's data: the audit trail (a hash chain), data exports, erasure sagas and legal holds,
 * in the "compliance" schema.
 */
export const complianceDatabase: PersistenceDefinition = {
  schema: 'compliance',
  entities: [
    AuditChainHeadEntity,
    AuditCheckpointEntity,
    AuditEventEntity,
    AuditWorkspaceHeadEntity,
    DataExportEntity,
    ErasureRequestEntity,
    ErasureStepEntity,
    LegalHoldEntity,
  ],
  migrations: [
    CreateAuditEvents1764150000000,
    ChainAuditEvents1764530000000,
    CreatePrivacyRequests1764560000000,
    SealAuditAnchors1764620000000,
    BindSealedExportKeys1764800000000,
    ChainAuditWorkspaces1764810000000,
    auditOutboxMigration('compliance'),
  ],
};
