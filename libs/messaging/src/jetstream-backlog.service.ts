import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { addBacklogReader } from '@weft/metrics';
import { MessageBus } from './message-bus.service';

/**
 * Reports the backlog of every durable JetStream consumer this service takes from (node jobs, ingestion,
 * audit events) as `weft_jetstream_backlog_messages{stream,consumer}`, read from JetStream when Prometheus
 * scrapes. Every replica reports the same shared consumer: aggregate with `max`, not `sum`.
 */
@Injectable()
export class JetStreamBacklogReporter implements OnModuleInit, OnModuleDestroy {
  private remove?: () => void;

  constructor(private readonly bus: MessageBus) {}

  onModuleInit(): void {
    this.remove = addBacklogReader(() => this.bus.consumerBacklogs());
  }

  onModuleDestroy(): void {
    this.remove?.();
  }
}
