import { Module } from '@nestjs/common';
import { AuditEventRepository } from './audit-event.repository';
import { AuditIngestHandler } from './audit-ingest.handler';

/** The audit trail: ingestion from JetStream and storage. */
@Module({ providers: [AuditEventRepository, AuditIngestHandler] })
export class AuditTrailModule {}
