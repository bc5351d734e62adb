import { DynamicModule, Module } from '@nestjs/common';
import { makeCounterProvider } from '@weft/metrics';
import type { SecretKeyring } from '@weft/security';
import { AuditAppender } from './audit-appender.service';
import { AuditEventRepository } from './audit-event.repository';
import { AuditIngestHandler } from './audit-ingest.handler';
import { AUDIT_RETENTION_SETTINGS, AuditRetentionService, type AuditRetentionSettings } from './audit-retention.service';
import { AuditSealService } from './audit-seal.service';
import { AuditSealer } from './audit-seal.util';
import { AuditTrailHandler } from './audit-trail.handler';

/** The audit trail: ingestion from JetStream into the hash chain, its seals (keys from `keyring`), verification, listing and retention. */
@Module({})
export class AuditTrailModule {
  static forRoot(retention: AuditRetentionSettings, keyring: SecretKeyring): DynamicModule {
    return {
      module: AuditTrailModule,
      providers: [
        AuditAppender,
        AuditEventRepository,
        AuditIngestHandler,
        AuditRetentionService,
        AuditSealService,
        AuditTrailHandler,
        { provide: AuditSealer, useValue: new AuditSealer(keyring) },
        { provide: AUDIT_RETENTION_SETTINGS, useValue: retention },
        makeCounterProvider({ name: 'weft_audit_events_stored_total', help: 'Audit events appended to the hash chain' }),
        makeCounterProvider({ name: 'weft_audit_records_pruned_total', help: 'Audit records deleted by retention pruning' }),
      ],
      exports: [AuditEventRepository, AuditRetentionService, AuditSealService],
    };
  }
}
