import { Injectable } from '@nestjs/common';
import { AuditEvent } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';
import { AuditEventEntity } from './audit-event.entity';

/** The audit trail's storage. Inserts are idempotent by event id: a redelivered event is stored once. */
@Injectable()
export class AuditEventRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Stores the event unless one with its id exists; says whether it was new. */
  async insertOnce(event: AuditEvent): Promise<boolean> {
    const result = await this.db.dataSource
      .createQueryBuilder()
      .insert()
      .into(AuditEventEntity)
      .values({
        id: event.id,
        occurredAt: new Date(event.occurredAt),
        service: event.service,
        actorType: event.actor.type,
        actorId: event.actor.id,
        workspaceId: event.workspaceId,
        action: event.action,
        resourceType: event.resource.type,
        resourceId: event.resource.id,
        outcome: event.outcome,
        ip: event.ip,
        userAgent: event.userAgent,
        correlationId: event.correlationId,
        // TypeORM's deep-partial typing cannot express an open JSON object.
        details: event.details as never,
      })
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }
}
