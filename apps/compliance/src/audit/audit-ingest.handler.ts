import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import { DatabaseService } from '@weft/persistence';
import { AuditAppender } from './audit-appender.service';

/** Durable consumer name shared by every compliance replica, so each event is handled by one of them. */
export const AUDIT_CONSUMER = 'compliance-audit-trail';

/**
 * Takes audit events from JetStream into the hash chain; an event is acked only once its batch has
 * committed, so unacknowledged events are redelivered after a crash (and stored once, by id).
 */
@Injectable()
export class AuditIngestHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditIngestHandler.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly appender: AuditAppender,
    private readonly db: DatabaseService,
  ) {}

  onApplicationBootstrap(): void {
    // Taking events before the trail's table exists would only bounce them back to the stream.
    void this.db.whenReady().then(() => this.startConsuming());
  }

  private startConsuming(): void {
    this.bus.consume('audit.event.v1', AUDIT_CONSUMER, async (event, ctx) => {
      const stored = await this.appender.append(event);
      if (!stored) this.logger.debug(`Audit event "${event.id}" was already stored (delivery ${ctx.deliveryCount})`);
    });
  }
}
