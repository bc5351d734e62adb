import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, type IngestJob } from '@weft/contracts';
import { DocumentError, extractText } from '@weft/documents';
import { InjectMetric } from '@weft/metrics';
import type { FileStorage } from '@weft/storage';
import type { Counter } from 'prom-client';
import { DatasetRepository } from '../datasets/dataset.repository';
import { DatasetService } from '../datasets/dataset.service';
import { DEFAULT_EMBEDDING_MODEL, EmbeddingService } from '../embeddings/embedding.service';
import { toVectorLiteral } from '../embeddings/vector.util';
import type { ProcessRule } from '../ingestion/process-rule.types';
import { splitDocument } from '../ingestion/text-splitter.util';
import { toFullTextDocument } from '../retrieval/full-text.util';
import { DOCUMENT_FILE_STORAGE } from './document-file.config';
import type { DocumentRow } from './document.dto';
import { DocumentRepository, type SegmentInsert } from './document.repository';
import { DatasetVectorIndexService } from '../segments/dataset-vector-index.service';

const EMBED_BATCH = 32;
const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;

/** A failure that retrying cannot fix (a corrupt or unsupported file, a bad rule): the document ends in error at once. */
class PermanentIngestionError extends Error {}

/** What the worker is told about the delivery it handles. */
export interface IngestionDelivery {
  deliveryCount: number;
  /** The last delivery: a failure now ends the document in error instead of waiting for another try. */
  final: boolean;
  working(): void;
}

/**
 * Indexes one document: parse (text or the uploaded file from shared storage), clean, split, embed in
 * batches (cached by content), and replace its segments in one transaction. The steps are visible as
 * the document's `indexing_status`. Every run starts from the stored document and its result replaces
 * whatever an earlier, interrupted run left, so a redelivered job never duplicates or loses segments.
 */
@Injectable()
export class IngestionService {
  private readonly logger = new Logger(IngestionService.name);

  constructor(
    private readonly documents: DocumentRepository,
    private readonly datasetRows: DatasetRepository,
    private readonly datasets: DatasetService,
    private readonly embeddings: EmbeddingService,
    @Inject(DOCUMENT_FILE_STORAGE) private readonly storage: FileStorage,
    @InjectMetric('weft_ingestion_documents_total') private readonly documentsTotal: Counter<string>,
    @InjectMetric('weft_ingestion_segments_total') private readonly segmentsTotal: Counter<string>,
    private readonly vectorIndexes: DatasetVectorIndexService,
  ) {}

  /** Runs the job; throws (so the job is delivered again) only for a failure a later try may not meet. */
  async ingest(job: IngestJob, delivery: IngestionDelivery): Promise<void> {
    const document = await this.documents.findForIngestion(job.workspaceId, job.documentId);
    if (!document) return;
    if (delivery.deliveryCount > 1) this.logger.warn(`Document "${document.id}" is indexed again (delivery ${delivery.deliveryCount})`);
    try {
      await this.run(document, delivery);
      this.documentsTotal.inc({ status: 'completed' });
    } catch (error) {
      const permanent =
        error instanceof PermanentIngestionError ||
        error instanceof DocumentError ||
        (error instanceof DomainError && error.code === 'invalid_param');
      if (permanent || delivery.final) {
        this.logger.warn(`Document "${document.id}" failed to index: ${(error as Error).message}`);
        await this.documents.fail(document.id, (error as Error).message);
        this.documentsTotal.inc({ status: 'error' });
        await this.datasets.changed(document.datasetId);
        return;
      }
      throw error;
    }
  }

  private async run(document: DocumentRow, delivery: IngestionDelivery): Promise<void> {
    const dataset = await this.datasetRows.find(document.workspaceId, document.datasetId);
    if (!dataset) return;
    await this.documents.enterStage(document.id, 'parsing');
    const text = await this.sourceText(document);
    await this.documents.enterStage(document.id, 'cleaning');
    await this.documents.enterStage(document.id, 'splitting');
    const split = splitDocument(text, document.processRule as unknown as ProcessRule);
    if (split.segments.length === 0) throw new PermanentIngestionError('The document has no text to index.');
    await this.documents.enterStage(document.id, 'indexing');

    const highQuality = dataset.indexingTechnique !== 'economy';
    const model =
      dataset.embeddingModel && dataset.embeddingModelProvider
        ? { model: dataset.embeddingModel, provider: dataset.embeddingModelProvider }
        : DEFAULT_EMBEDDING_MODEL;
    // Parent-child documents are searched by their child chunks (as in Dify): only those are embedded.
    const hierarchical = split.docForm === 'hierarchical_model';
    const segments: SegmentInsert[] = split.segments.map((s) => ({
      childChunks: s.childChunks?.map((c) => ({
        content: c.content,
        embedding: null,
        embeddingDim: null,
        fullText: toFullTextDocument(c.content),
        id: randomUUID(),
        indexNodeHash: c.indexNodeHash,
        position: c.position,
        wordCount: c.wordCount,
      })),
      content: s.content,
      embedding: null,
      embeddingDim: null,
      fullText: toFullTextDocument(s.content),
      id: randomUUID(),
      indexNodeHash: s.indexNodeHash,
      position: s.position,
      tokens: s.tokens,
      wordCount: s.wordCount,
    }));
    if (highQuality) {
      const targets: { content: string; embedding: string | null; embeddingDim: number | null }[] = hierarchical
        ? segments.flatMap((s) => s.childChunks ?? [])
        : segments;
      for (let i = 0; i < targets.length; i += EMBED_BATCH) {
        const batch = targets.slice(i, i + EMBED_BATCH);
        const vectors = await this.embeddings.embed(
          document.workspaceId,
          model,
          batch.map((t) => t.content),
        );
        delivery.working();
        batch.forEach((target, j) => {
          const vector = vectors[j];
          target.embedding = vector ? toVectorLiteral(vector) : null;
          target.embeddingDim = vector ? vector.length : null;
        });
      }
    }
    await this.documents.completeIndexing(document, segments, { tokens: split.tokens, wordCount: split.wordCount });
    this.segmentsTotal.inc(segments.length);
    await this.datasets.changed(document.datasetId);
    this.vectorIndexes.datasetGrew(document.datasetId);
    this.logger.log(
      `Document "${document.id}" indexed: ${segments.length} segments${hierarchical ? `, ${segments.reduce((n, s) => n + (s.childChunks?.length ?? 0), 0)} child chunks` : ''}`,
    );
  }

  private async sourceText(document: DocumentRow): Promise<string> {
    if (document.sourceText !== null) return document.sourceText;
    const key = document.dataSourceInfo['storage_key'];
    if (typeof key !== 'string') throw new PermanentIngestionError('The document has neither text nor a stored file.');
    const data = await this.storage.get(key);
    const extracted = await extractText({
      data,
      filename: String(document.dataSourceInfo['name'] ?? document.name),
      maxBytes: MAX_DOCUMENT_BYTES,
      mimeType: String(document.dataSourceInfo['mime_type'] ?? '') || undefined,
    });
    return extracted.text;
  }
}
