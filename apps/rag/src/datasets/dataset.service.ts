import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatasetErrors, DocumentErrors, isUuid, parseBody, type RequestOf } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { DatabaseService } from '@weft/persistence';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { RetrievalCache } from '../retrieval/retrieval-cache.service';
import { parseRetrievalModel } from '../retrieval/retrieval-model.util';
import { DEFAULT_DATASET_RETRIEVAL_MODEL } from '../retrieval/retrieval-model.types';
import { isBuiltInFieldName, withBuiltIns, withoutBuiltIns } from './built-in-metadata.util';
import { CreateDatasetSchema, toDatasetResponse, UpdateDatasetSchema, type DatasetRow } from './dataset.dto';
import { DatasetRepository } from './dataset.repository';
import { DatasetVectorIndexService } from '../segments/dataset-vector-index.service';

const MetadataFieldSchema = z.object({ name: z.string().trim().min(1).max(255), type: z.enum(['string', 'number', 'time']) });
const RenameFieldSchema = z.object({ name: z.string().trim().min(1).max(255) });
const DocumentMetadataSchema = z.object({
  operation_data: z
    .array(
      z.object({
        document_id: z.string().max(100),
        metadata_list: z
          .array(
            z.object({
              id: z.string().max(100),
              name: z.string().max(255),
              value: z.union([z.string().max(10_000), z.number(), z.null()]),
            }),
          )
          .max(100),
      }),
    )
    .min(1)
    .max(1000),
});

/** What built-in metadata values are made of, as read from `rag.documents` with BUILT_IN_COLUMNS. */
export interface BuiltInRow {
  created_at: Date | string;
  data_source_type: string;
  doc_metadata: Record<string, unknown> | null;
  id: string;
  name: string;
  updated_at: Date | string;
  uploader: string | null;
}
/** The columns of BuiltInRow. */
export const BUILT_IN_COLUMNS = 'id, name, uploader, created_at, updated_at, data_source_type, doc_metadata';

/** Datasets and their metadata fields: Dify's knowledge base API behind the gateway. */
@Injectable()
export class DatasetService {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly db: DatabaseService,
    private readonly bus: MessageBus,
    private readonly cache: RetrievalCache,
    private readonly vectorIndexes: DatasetVectorIndexService,
  ) {}

  async create(req: RequestOf<'kb.dataset.create.v1'>): Promise<Record<string, unknown>> {
    const body = parseBody(CreateDatasetSchema, req.body);
    const retrievalModel =
      body.retrieval_model === undefined ? null : parseRetrievalModel(body.retrieval_model, DEFAULT_DATASET_RETRIEVAL_MODEL);
    const created = await this.datasets.create({
      createdBy: req.accountId,
      description: body.description,
      embeddingModel: body.embedding_model ?? null,
      embeddingModelProvider: body.embedding_model_provider ?? null,
      id: randomUUID(),
      indexingTechnique: body.indexing_technique ?? null,
      name: body.name,
      permission: body.permission,
      provider: body.provider,
      retrievalModel,
      workspaceId: req.workspaceId,
    });
    if (!created) throw DatasetErrors.nameTaken();
    return toDatasetResponse(created);
  }

  async list(
    req: RequestOf<'kb.dataset.list.v1'>,
  ): Promise<{ data: Record<string, unknown>[]; has_more: boolean; limit: number; page: number; total: number }> {
    const { rows, total } = await this.datasets.list(req.workspaceId, req);
    return { data: rows.map(toDatasetResponse), has_more: req.page * req.limit < total, limit: req.limit, page: req.page, total };
  }

  async get(workspaceId: string, datasetId: string): Promise<Record<string, unknown>> {
    return toDatasetResponse(await this.require(workspaceId, datasetId));
  }

  async update(req: RequestOf<'kb.dataset.update.v1'>): Promise<Record<string, unknown>> {
    const body = parseBody(UpdateDatasetSchema, req.body);
    await this.require(req.workspaceId, req.datasetId);
    const fields: Record<string, unknown> = {
      description: body.description,
      embedding_model: body.embedding_model,
      embedding_model_provider: body.embedding_model_provider,
      indexing_technique: body.indexing_technique,
      name: body.name,
      permission: body.permission,
      retrieval_model:
        body.retrieval_model === undefined ? undefined : parseRetrievalModel(body.retrieval_model, DEFAULT_DATASET_RETRIEVAL_MODEL),
    };
    const updated = await this.datasets.update(req.workspaceId, req.datasetId, fields, req.accountId);
    if (updated === 'duplicate') throw DatasetErrors.nameTaken();
    if (!updated) throw DatasetErrors.notFound();
    await this.changed(req.datasetId);
    return toDatasetResponse(updated);
  }

  async delete(workspaceId: string, datasetId: string): Promise<void> {
    if (!(await this.datasets.delete(workspaceId, datasetId))) throw DatasetErrors.notFound();
    this.vectorIndexes.datasetDeleted(datasetId);
    await this.changed(datasetId);
  }

  async require(workspaceId: string, datasetId: string): Promise<DatasetRow> {
    const dataset = await this.datasets.find(workspaceId, datasetId);
    if (!dataset) throw DatasetErrors.notFound();
    return dataset;
  }

  /** Makes cached retrievals of the dataset unreachable and tells every rag replica to drop them. */
  async changed(datasetId: string): Promise<void> {
    if (!isUuid(datasetId)) return;
    await this.cache.invalidate(datasetId);
    this.bus.publish('kb.dataset.changed.v1', null, { datasetId });
  }

  /** Dify's metadata routes: fields of a dataset, values on documents, the built-in fields switch. */
  async metadata(req: RequestOf<'kb.metadata.v1'>): Promise<Record<string, unknown>> {
    const dataset = await this.require(req.workspaceId, req.datasetId);
    const q = (sql: string, params: unknown[]) => this.db.dataSource.query(sql, params) as Promise<Record<string, unknown>[]>;
    switch (req.op) {
      case 'list': {
        const rows = await q(
          `SELECT f.id, f.name, f.type, (SELECT count(*)::int FROM rag.documents d WHERE d.dataset_id = f.dataset_id AND d.doc_metadata ? f.name) AS count
           FROM rag.metadata_fields f WHERE f.dataset_id = $1 ORDER BY f.created_at`,
          [dataset.id],
        );
        return { built_in_field_enabled: dataset.builtInFieldEnabled, doc_metadata: rows };
      }
      case 'create': {
        const body = parseBody(MetadataFieldSchema, req.body);
        if (isBuiltInFieldName(body.name)) throw DatasetErrors.metadataNameBuiltIn();
        const rows = await q(
          `INSERT INTO rag.metadata_fields (id, workspace_id, dataset_id, name, type) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dataset_id, name) DO NOTHING RETURNING id, name, type`,
          [randomUUID(), req.workspaceId, dataset.id, body.name, body.type],
        );
        if (!rows[0]) throw DatasetErrors.metadataNameTaken(body.name);
        return rows[0];
      }
      case 'update': {
        const body = parseBody(RenameFieldSchema, req.body);
        const field = await this.field(dataset.id, req.metadataId);
        if (isBuiltInFieldName(body.name)) throw DatasetErrors.metadataNameBuiltIn();
        await this.db.dataSource.transaction(async (m) => {
          await m.query(`UPDATE rag.metadata_fields SET name = $2 WHERE id = $1`, [field['id'], body.name]);
          await m.query(
            `UPDATE rag.documents SET doc_metadata = (doc_metadata - $2::text) || jsonb_build_object($3::text, doc_metadata -> $2::text) WHERE dataset_id = $1 AND doc_metadata ? $2::text`,
            [dataset.id, field['name'], body.name],
          );
        });
        await this.changed(dataset.id);
        return { id: field['id'], name: body.name, type: field['type'] };
      }
      case 'delete': {
        const field = await this.field(dataset.id, req.metadataId);
        await this.db.dataSource.transaction(async (m) => {
          await m.query(`DELETE FROM rag.metadata_fields WHERE id = $1`, [field['id']]);
          await m.query(`UPDATE rag.documents SET doc_metadata = doc_metadata - $2::text WHERE dataset_id = $1`, [
            dataset.id,
            field['name'],
          ]);
        });
        await this.changed(dataset.id);
        return { result: 'success' };
      }
      case 'set-documents': {
        const body = parseBody(DocumentMetadataSchema, req.body);
        const fields = await q(`SELECT id, name FROM rag.metadata_fields WHERE dataset_id = $1`, [dataset.id]);
        const byId = new Map(fields.map((f) => [f['id'] as string, f['name'] as string]));
        for (const op of body.operation_data) {
          const values: Record<string, unknown> = {};
          for (const item of op.metadata_list) {
            const name = byId.get(item.id);
            if (!name) throw DatasetErrors.metadataNotInDataset(item.id);
            values[name] = item.value;
          }
          const updated = isUuid(op.document_id)
            ? await this.db.rows<BuiltInRow>(
                `UPDATE rag.documents SET doc_metadata = $3::jsonb, updated_at = now() WHERE id = $1 AND dataset_id = $2
                 RETURNING ${BUILT_IN_COLUMNS}`,
                [op.document_id, dataset.id, JSON.stringify(values)],
              )
            : [];
          if (updated.length === 0) throw DocumentErrors.notFound();
          // The values given replace the document's; its built-in values, while enabled, are Weft's to keep.
          if (dataset.builtInFieldEnabled) await this.writeBuiltIns(updated, true);
        }
        await this.changed(dataset.id);
        return { result: 'success' };
      }
      case 'built-in': {
        const enable = req.body['action'] === 'enable';
        await this.db.dataSource.transaction(async (m) => {
          await m.query(`UPDATE rag.datasets SET built_in_field_enabled = $2, updated_at = now() WHERE id = $1`, [dataset.id, enable]);
          const documents = await this.db.rowsIn<BuiltInRow>(m, `SELECT ${BUILT_IN_COLUMNS} FROM rag.documents WHERE dataset_id = $1`, [
            dataset.id,
          ]);
          await this.writeBuiltIns(documents, enable, m);
        });
        await this.changed(dataset.id);
        return { result: 'success' };
      }
    }
  }

  /**
   * Sets (or, `enable` false, takes away) the built-in metadata values of documents in one statement, from
   * the rows read with BUILT_IN_COLUMNS; the documents' own values are kept.
   */
  async writeBuiltIns(documents: BuiltInRow[], enable: boolean, manager?: EntityManager): Promise<void> {
    if (documents.length === 0) return;
    const updates = documents.map((d) => {
      const metadata = d.doc_metadata ?? {};
      const next = enable
        ? withBuiltIns(metadata, {
            createdAt: new Date(d.created_at),
            dataSourceType: d.data_source_type,
            name: d.name,
            updatedAt: new Date(d.updated_at),
            uploader: d.uploader,
          })
        : withoutBuiltIns(metadata);
      return { id: d.id, metadata: next };
    });
    await (manager ?? this.db.dataSource.manager).query(
      `UPDATE rag.documents d SET doc_metadata = u.metadata FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, metadata jsonb) WHERE d.id = u.id`,
      [JSON.stringify(updates)],
    );
  }

  private async field(datasetId: string, metadataId: string | null): Promise<Record<string, unknown>> {
    const rows: Record<string, unknown>[] =
      metadataId && isUuid(metadataId)
        ? await this.db.dataSource.query(`SELECT id, name, type FROM rag.metadata_fields WHERE id = $1 AND dataset_id = $2`, [
            metadataId,
            datasetId,
          ])
        : [];
    if (!rows[0]) throw DatasetErrors.metadataNotFound();
    return rows[0];
  }
}
