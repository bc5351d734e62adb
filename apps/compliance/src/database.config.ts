import type { PersistenceDefinition } from '@weft/persistence';
import { CreateAuditEvents1764150000000 } from '../migrations/1764150000000-create-audit-events';
import { ChainAuditEvents1764530000000 } from '../migrations/1764530000000-chain-audit-events';
import { AuditChainHeadEntity } from './audit/audit-chain-head.entity';
import { AuditCheckpointEntity } from './audit/audit-checkpoint.entity';
import { AuditEventEntity } from './audit/audit-event.entity';

/** The compliance service's data: the audit trail (a hash chain), in the "compliance" schema. */
export const complianceDatabase: PersistenceDefinition = {
  schema: 'compliance',
  entities: [AuditChainHeadEntity, AuditCheckpointEntity, AuditEventEntity],
  migrations: [CreateAuditEvents1764150000000, ChainAuditEvents1764530000000],
};
