import type { PersistenceDefinition } from '@weft/persistence';
import { CreateAuditEvents1764150000000 } from '../migrations/1764150000000-create-audit-events';
import { AuditEventEntity } from './audit/audit-event.entity';

/** The compliance service's data: the audit trail, in the "compliance" schema. */
export const complianceDatabase: PersistenceDefinition = {
  schema: 'compliance',
  entities: [AuditEventEntity],
  migrations: [CreateAuditEvents1764150000000],
};
