import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import { RAG_CONFIG, type RagConfig } from '../rag.config';
import { IngestionService } from './ingestion.service';

/** The durable pull consumer every rag replica shares, so each document is indexed by one of them at a time. */
export const INGESTION_CONSUMER = 'rag-ingestion';

/** Takes documents from the KB_INGEST work queue; a replica that dies mid-document leaves it to be redelivered. */
@Injectable()
export class IngestionHandler implements OnModuleInit, OnApplicationShutdown {
  private closing = false;

  constructor(
    @Inject(RAG_CONFIG) private readonly config: RagConfig,
    private readonly bus: MessageBus,
    private readonly ingestion: IngestionService,
  ) {}

  onModuleInit(): void {
    const { ackWaitMs, concurrency, maxAttempts } = this.config.ingestion;
    void this.bus.start().then(() => {
      if (this.closing) return;
      this.bus.work('kb.ingest.v1', INGESTION_CONSUMER, { ackWaitMs, concurrency, maxDeliver: maxAttempts }, (job, ctx) =>
        this.ingestion.ingest(job, { deliveryCount: ctx.deliveryCount, final: ctx.deliveryCount >= maxAttempts, working: ctx.working }),
      );
    });
  }

  onApplicationShutdown(): void {
    this.closing = true;
  }
}
