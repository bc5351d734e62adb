import { randomInt, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DocumentErrors, parseBody, type RequestOf } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { DatasetRepository } from '../datasets/dataset.repository';
import { DatasetService } from '../datasets/dataset.service';
import { resolveProcessRule } from '../ingestion/text-splitter.util';
import type { ProcessRule } from '../ingestion/process-rule.types';
import { DocumentSettingsSchema, toDocumentResponse, toIndexingStatus, type DocumentRow } from './document.dto';
import { DocumentRepository } from './document.repository';

/** Dify's batch ids: the time to the second, then six random digits. */
export function newBatchId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

/**
 * Documents of a dataset: created from text or an uploaded file, stored as waiting and handed to the
 * ingestion work queue; listed, read, re-indexed, enabled, archived and deleted.
 */
@Injectable()
export class DocumentService {
  private readonly logger = new Logger(DocumentService.name);

  constructor(
    private readonly documents: DocumentRepository,
    private readonly datasetRows: DatasetRepository,
    private readonly datasets: DatasetService,
    private readonly bus: MessageBus,
  ) {}

  async create(req: RequestOf<'kb.document.create.v1'>): Promise<{ batch: string; document: Record<string, unknown> }> {
    const dataset = await this.datasets.require(req.workspaceId, req.datasetId);
    const settings = parseBody(DocumentSettingsSchema, req.body);
    const existing = req.documentId ? await this.documents.find(req.workspaceId, dataset.id, req.documentId) : null;
    if (req.documentId && !existing) throw DocumentErrors.notFound();
    if (existing?.archived) throw DocumentErrors.archived();
    const technique = settings.indexing_technique ?? dataset.indexingTechnique;
    if (!technique) throw DocumentErrors.indexingTechniqueRequired();
    if (settings.doc_form === 'qa_model') throw DocumentErrors.qaModelUnsupported();
    // An update without a process rule keeps the document's own; a new document defaults to automatic.
    const processRule = (settings.process_rule ?? existing?.processRule ?? { mode: 'automatic' }) as ProcessRule;
    const resolved = resolveProcessRule(processRule);
    const docForm = resolved.mode === 'hierarchical' ? 'hierarchical_model' : 'text_model';
    if (settings.doc_form === 'hierarchical_model' && docForm !== 'hierarchical_model') {
      throw DocumentErrors.hierarchicalNeedsRule();
    }
    if (dataset.docForm && existing === null && dataset.docForm !== docForm && dataset.documentCount > 0) {
      throw DocumentErrors.docFormMismatch(dataset.docForm);
    }
    const file = req.file;
    const text = req.text ?? (existing && !file ? existing.sourceText : null);
    const name = req.name ?? file?.name ?? existing?.name;
    if (!name) throw DocumentErrors.nameRequired();
    if (text === null && !file && !existing) throw DocumentErrors.textRequired();
    const source = file
      ? {
          dataSourceInfo: {
            extension: file.extension,
            id: file.uploadFileId,
            mime_type: file.mimeType,
            name: file.name,
            size: file.size,
            storage_key: file.storageKey,
          },
          dataSourceType: 'upload_file',
          sourceText: null,
        }
      : text !== null
        ? { dataSourceInfo: {}, dataSourceType: 'upload_file', sourceText: text }
        : { dataSourceInfo: existing!.dataSourceInfo, dataSourceType: existing!.dataSourceType, sourceText: existing!.sourceText };
    const batch = newBatchId();
    const fields = {
      batch,
      datasetId: dataset.id,
      docForm,
      name,
      processRule: processRule as unknown as Record<string, unknown>,
      workspaceId: req.workspaceId,
      ...source,
    };
    const document = existing
      ? await this.documents.replace({ ...fields, id: existing.id })
      : await this.documents.create({
          ...fields,
          createdBy: req.accountId,
          docLanguage: settings.doc_language ?? 'English',
          id: randomUUID(),
          uploader: req.uploader,
        });
    const stored = dataset.builtInFieldEnabled ? await this.withBuiltIns(document) : document;
    await this.datasetRows.settle(req.workspaceId, dataset.id, docForm, technique);
    if (!dataset.embeddingModel && (settings.embedding_model || settings.embedding_model_provider)) {
      await this.datasetRows.update(
        req.workspaceId,
        dataset.id,
        { embedding_model: settings.embedding_model ?? null, embedding_model_provider: settings.embedding_model_provider ?? null },
        req.accountId,
      );
    }
    await this.enqueue(stored, batch);
    return { batch, document: toDocumentResponse(stored, dataset.metadataFields, dataset.builtInFieldEnabled) };
  }

  async list(
    req: RequestOf<'kb.document.list.v1'>,
  ): Promise<{ data: Record<string, unknown>[]; has_more: boolean; limit: number; page: number; total: number }> {
    const dataset = await this.datasets.require(req.workspaceId, req.datasetId);
    const { rows, total } = await this.documents.list(req.workspaceId, dataset.id, req);
    return {
      data: rows.map((d) => toDocumentResponse(d, dataset.metadataFields, dataset.builtInFieldEnabled)),
      has_more: req.page * req.limit < total,
      limit: req.limit,
      page: req.page,
      total,
    };
  }

  async get(workspaceId: string, datasetId: string, documentId: string): Promise<Record<string, unknown>> {
    const dataset = await this.datasets.require(workspaceId, datasetId);
    return toDocumentResponse(await this.require(workspaceId, dataset.id, documentId), dataset.metadataFields, dataset.builtInFieldEnabled);
  }

  async delete(workspaceId: string, datasetId: string, documentId: string): Promise<void> {
    const document = await this.require(workspaceId, datasetId, documentId);
    if (document.archived) throw DocumentErrors.archived();
    await this.documents.delete(workspaceId, document.datasetId, document.id);
    await this.datasets.changed(document.datasetId);
  }

  async indexingStatus(workspaceId: string, datasetId: string, batch: string): Promise<{ data: Record<string, unknown>[] }> {
    await this.datasets.require(workspaceId, datasetId);
    const documents = await this.documents.byBatch(workspaceId, datasetId, batch);
    if (documents.length === 0) throw DocumentErrors.noneFound();
    return { data: documents.map(toIndexingStatus) };
  }

  async setStatus(req: RequestOf<'kb.document.set-status.v1'>): Promise<void> {
    await this.datasets.require(req.workspaceId, req.datasetId);
    const changed = await this.documents.setStatus(req.workspaceId, req.datasetId, req.documentIds, req.action);
    if (changed === 0) throw DocumentErrors.notFound();
    await this.datasets.changed(req.datasetId);
  }

  async require(workspaceId: string, datasetId: string, documentId: string): Promise<DocumentRow> {
    const document = await this.documents.find(workspaceId, datasetId, documentId);
    if (!document) throw DocumentErrors.notFound();
    return document;
  }

  /** The document with its built-in metadata values written (its dataset has them enabled): name and dates may have changed. */
  private async withBuiltIns(document: DocumentRow): Promise<DocumentRow> {
    await this.datasets.writeBuiltIns(
      [
        {
          created_at: document.createdAt,
          data_source_type: document.dataSourceType,
          doc_metadata: document.docMetadata,
          id: document.id,
          name: document.name,
          updated_at: document.updatedAt,
          uploader: document.uploader,
        },
      ],
      true,
    );
    return (await this.documents.find(document.workspaceId, document.datasetId, document.id)) ?? document;
  }

  /** Queues the document's indexing; the batch in the message id lets a re-upload queue it again at once. */
  private async enqueue(document: DocumentRow, batch: string): Promise<void> {
    try {
      await this.bus.publishEvent(
        'kb.ingest.v1',
        { documentId: document.id, workspaceId: document.workspaceId },
        `${document.id}:${batch}`,
      );
    } catch (error) {
      this.logger.error({ err: error }, `Document "${document.id}" could not be queued for indexing`);
      await this.documents.fail(document.id, `Could not queue the document for indexing: ${(error as Error).message}`);
      throw DocumentErrors.notQueued();
    }
  }
}
