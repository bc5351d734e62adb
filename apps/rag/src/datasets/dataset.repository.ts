import { isUuid } from '@weft/contracts';
import { Injectable } from '@nestjs/common';
import { DatabaseService, containsPattern } from '@weft/persistence';
import type { DatasetRow, DatasetSettings } from './dataset.dto';

// A dataset with its document counts and metadata fields, in one statement.
const SELECT = `SELECT d.*,
    (SELECT count(*)::int FROM rag.documents x WHERE x.dataset_id = d.id) AS document_count,
    (SELECT count(*)::int FROM rag.documents x WHERE x.dataset_id = d.id AND x.enabled AND NOT x.archived AND x.indexing_status = 'completed') AS available_document_count,
    (SELECT coalesce(sum(x.word_count), 0)::int FROM rag.documents x WHERE x.dataset_id = d.id) AS word_count,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name, 'type', f.type) ORDER BY f.created_at), '[]') FROM rag.metadata_fields f WHERE f.dataset_id = d.id) AS metadata_fields,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'type', t.type) ORDER BY t.name, t.id), '[]')
       FROM rag.tag_bindings b JOIN rag.tags t ON t.id = b.tag_id WHERE b.target_id = d.id AND t.workspace_id = d.workspace_id AND t.type = 'knowledge') AS tags
  FROM rag.datasets d`;

function toRow(r: Record<string, unknown>): DatasetRow {
  return {
    availableDocumentCount: Number(r['available_document_count'] ?? 0),
    builtInFieldEnabled: r['built_in_field_enabled'] === true,
    createdAt: new Date(r['created_at'] as string),
    createdBy: (r['created_by'] as string | null) ?? null,
    description: (r['description'] as string) ?? '',
    docForm: (r['doc_form'] as string | null) ?? null,
    documentCount: Number(r['document_count'] ?? 0),
    embeddingModel: (r['embedding_model'] as string | null) ?? null,
    embeddingModelProvider: (r['embedding_model_provider'] as string | null) ?? null,
    id: r['id'] as string,
    indexingTechnique: (r['indexing_technique'] as string | null) ?? null,
    metadataFields: (r['metadata_fields'] as DatasetRow['metadataFields']) ?? [],
    name: r['name'] as string,
    permission: r['permission'] as string,
    provider: r['provider'] as string,
    retrievalModel: (r['retrieval_model'] as Record<string, unknown> | null) ?? null,
    tags: (r['tags'] as DatasetRow['tags']) ?? [],
    updatedAt: new Date(r['updated_at'] as string),
    updatedBy: (r['updated_by'] as string | null) ?? null,
    wordCount: Number(r['word_count'] ?? 0),
    workspaceId: r['workspace_id'] as string,
  };
}

/** Datasets of a workspace; every query names the workspace. */
@Injectable()
export class DatasetRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Creates a dataset; null when the workspace already has one by that name. */
  async create(
    d: Pick<
      DatasetRow,
      | 'createdBy'
      | 'description'
      | 'embeddingModel'
      | 'embeddingModelProvider'
      | 'id'
      | 'indexingTechnique'
      | 'name'
      | 'permission'
      | 'provider'
      | 'retrievalModel'
      | 'workspaceId'
    >,
  ): Promise<DatasetRow | null> {
    const rows = await this.db.rows<{ id: string }>(
      `INSERT INTO rag.datasets (id, workspace_id, name, description, provider, permission, indexing_technique, embedding_model, embedding_model_provider, retrieval_model, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id`,
      [
        d.id,
        d.workspaceId,
        d.name,
        d.description,
        d.provider,
        d.permission,
        d.indexingTechnique,
        d.embeddingModel,
        d.embeddingModelProvider,
        d.retrievalModel === null ? null : JSON.stringify(d.retrievalModel),
        d.createdBy,
      ],
    );
    return rows[0] ? this.find(d.workspaceId, d.id) : null;
  }

  async find(workspaceId: string, id: string): Promise<DatasetRow | null> {
    if (!isUuid(id)) return null;
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(`${SELECT} WHERE d.id = $1 AND d.workspace_id = $2`, [
      id,
      workspaceId,
    ]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * The search settings of several datasets of a workspace (unknown or foreign ids are left out): one
   * primary-key read per retrieval, without the document counts.
   */
  async findSettings(workspaceId: string, ids: string[]): Promise<DatasetSettings[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT id, workspace_id, name, doc_form, indexing_technique, embedding_model, embedding_model_provider, retrieval_model FROM rag.datasets WHERE id = ANY($1::uuid[]) AND workspace_id = $2`,
      [valid, workspaceId],
    );
    return rows.map((r) => ({
      docForm: (r['doc_form'] as string | null) ?? null,
      embeddingModel: (r['embedding_model'] as string | null) ?? null,
      embeddingModelProvider: (r['embedding_model_provider'] as string | null) ?? null,
      id: r['id'] as string,
      indexingTechnique: (r['indexing_technique'] as string | null) ?? null,
      name: r['name'] as string,
      retrievalModel: (r['retrieval_model'] as Record<string, unknown> | null) ?? null,
      workspaceId: r['workspace_id'] as string,
    }));
  }

  /**
   * A page of a workspace's datasets, newest first, by name keyword and (Dify's `tag_ids`) bound to every
   * one of the given knowledge tags: a tag id that is not one of the workspace's tags matches nothing.
   */
  async list(
    workspaceId: string,
    opts: { keyword: string | null; limit: number; page: number; tagIds: string[] },
  ): Promise<{ rows: DatasetRow[]; total: number }> {
    const params: unknown[] = [workspaceId];
    let filter = '';
    if (opts.keyword) {
      params.push(containsPattern(opts.keyword));
      filter = ` AND d.name ILIKE $${params.length}`;
    }
    const tagIds = [...new Set(opts.tagIds.map((id) => id.toLowerCase()))];
    if (tagIds.length > 0) {
      if (!tagIds.every(isUuid)) return { rows: [], total: 0 };
      params.push(tagIds, tagIds.length);
      filter += ` AND d.id IN (SELECT b.target_id FROM rag.tag_bindings b JOIN rag.tags t ON t.id = b.tag_id
        WHERE t.workspace_id = $1 AND t.type = 'knowledge' AND b.tag_id = ANY($${params.length - 1}::uuid[])
        GROUP BY b.target_id HAVING count(DISTINCT b.tag_id) = $${params.length})`;
    }
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(
        `${SELECT} WHERE d.workspace_id = $1${filter} ORDER BY d.created_at DESC, d.id LIMIT ${opts.limit} OFFSET ${(opts.page - 1) * opts.limit}`,
        params,
      ) as Promise<Record<string, unknown>[]>,
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM rag.datasets d WHERE d.workspace_id = $1${filter}`, params) as Promise<
        { total: number }[]
      >,
    ]);
    return { rows: rows.map(toRow), total: count[0]?.total ?? 0 };
  }

  /** Applies the given fields; null when there is no such dataset, 'duplicate' when the new name is taken. */
  async update(
    workspaceId: string,
    id: string,
    fields: Record<string, unknown>,
    updatedBy: string | null,
  ): Promise<DatasetRow | null | 'duplicate'> {
    const columns = Object.entries(fields).filter(([, v]) => v !== undefined);
    const sets = columns.map(([c], i) => `${c} = $${i + 3}`);
    try {
      const rows = await this.db.rows<{ id: string }>(
        `UPDATE rag.datasets SET ${[...sets, `updated_by = $${columns.length + 3}`, 'updated_at = now()'].join(', ')} WHERE id = $1 AND workspace_id = $2 RETURNING id`,
        [id, workspaceId, ...columns.map(([, v]) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v)), updatedBy],
      );
      return rows[0] ? this.find(workspaceId, id) : null;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return 'duplicate';
      throw error;
    }
  }

  /** Deletes a dataset with its documents, segments, child chunks, metadata fields and tag bindings, in one transaction. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.db.dataSource.transaction(async (m) => {
      const found: unknown[] = await m.query(`SELECT id FROM rag.datasets WHERE id = $1 AND workspace_id = $2 FOR UPDATE`, [
        id,
        workspaceId,
      ]);
      if (found.length === 0) return false;
      await m.query(`DELETE FROM rag.child_chunks WHERE dataset_id = $1`, [id]);
      await m.query(`DELETE FROM rag.segments WHERE dataset_id = $1`, [id]);
      await m.query(`DELETE FROM rag.documents WHERE dataset_id = $1`, [id]);
      await m.query(`DELETE FROM rag.metadata_fields WHERE dataset_id = $1`, [id]);
      await m.query(`DELETE FROM rag.tag_bindings WHERE target_id = $1`, [id]);
      await m.query(`DELETE FROM rag.datasets WHERE id = $1`, [id]);
      return true;
    });
  }

  /**
   * Sets the doc form and indexing technique a dataset's first document decides. The doc form also
   * follows a document when no other kind is left (the dataset was emptied): retrieval reads it to
   * choose between searching segments and child chunks.
   */
  async settle(workspaceId: string, id: string, docForm: string, indexingTechnique: string | null): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE rag.datasets SET
         doc_form = CASE WHEN NOT EXISTS (SELECT 1 FROM rag.documents x WHERE x.dataset_id = $1 AND x.doc_form <> $3) THEN $3 ELSE coalesce(doc_form, $3) END,
         indexing_technique = coalesce(indexing_technique, $4), updated_at = now() WHERE id = $1 AND workspace_id = $2`,
      [id, workspaceId, docForm, indexingTechnique],
    );
  }
}
