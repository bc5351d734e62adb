import { isUuid } from '@weft/contracts';
import { Injectable } from '@nestjs/common';
import { DatabaseService, containsPattern } from '@weft/persistence';
import type { DocumentRow } from './document.dto';

const SELECT = `SELECT d.*, (SELECT count(*)::int FROM rag.segments s WHERE s.document_id = d.id) AS segment_count FROM rag.documents d`;
const date = (v: unknown) => (v ? new Date(v as string) : null);

function toRow(r: Record<string, unknown>): DocumentRow {
  return {
    archived: r['archived'] === true,
    batch: r['batch'] as string,
    cleaningCompletedAt: date(r['cleaning_completed_at']),
    completedAt: date(r['completed_at']),
    createdAt: new Date(r['created_at'] as string),
    createdBy: (r['created_by'] as string | null) ?? null,
    datasetId: r['dataset_id'] as string,
    dataSourceInfo: (r['data_source_info'] as Record<string, unknown>) ?? {},
    dataSourceType: r['data_source_type'] as string,
    docForm: r['doc_form'] as string,
    docLanguage: r['doc_language'] as string,
    docMetadata: (r['doc_metadata'] as Record<string, unknown>) ?? {},
    enabled: r['enabled'] === true,
    error: (r['error'] as string | null) ?? null,
    id: r['id'] as string,
    indexingStatus: r['indexing_status'] as string,
    name: r['name'] as string,
    parsingCompletedAt: date(r['parsing_completed_at']),
    position: Number(r['position']),
    processingStartedAt: date(r['processing_started_at']),
    processRule: (r['process_rule'] as Record<string, unknown>) ?? {},
    segmentCount: Number(r['segment_count'] ?? 0),
    sourceText: (r['source_text'] as string | null) ?? null,
    splittingCompletedAt: date(r['splitting_completed_at']),
    stoppedAt: date(r['stopped_at']),
    tokens: Number(r['tokens'] ?? 0),
    updatedAt: new Date(r['updated_at'] as string),
    uploader: (r['uploader'] as string | null) ?? null,
    wordCount: Number(r['word_count'] ?? 0),
    workspaceId: r['workspace_id'] as string,
  };
}

/** A stage of indexing and the timestamp column that records its end. */
export type IndexingStage = 'parsing' | 'cleaning' | 'splitting' | 'indexing';
const STAGE_DONE: Record<IndexingStage, string> = {
  cleaning: 'parsing_completed_at',
  indexing: 'splitting_completed_at',
  parsing: 'processing_started_at',
  splitting: 'cleaning_completed_at',
};

/** A child chunk of a parent-child segment as indexing writes it. */
export interface ChildChunkInsert {
  content: string;
  embedding: string | null;
  embeddingDim: number | null;
  fullText: string;
  id: string;
  indexNodeHash: string;
  position: number;
  wordCount: number;
}

/** A segment as indexing writes it: content, counts, hash, embedding (or none for economy datasets) and full-text document. */
export interface SegmentInsert {
  /** Parent-child documents only. */
  childChunks?: ChildChunkInsert[];
  content: string;
  embedding: string | null;
  embeddingDim: number | null;
  fullText: string;
  id: string;
  indexNodeHash: string;
  position: number;
  tokens: number;
  wordCount: number;
}

/** Documents of datasets; every query names the workspace (and the dataset where the caller has it). */
@Injectable()
export class DocumentRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Stores a new document, waiting, at the end of its dataset. */
  async create(
    d: Pick<
      DocumentRow,
      | 'batch'
      | 'createdBy'
      | 'datasetId'
      | 'dataSourceInfo'
      | 'dataSourceType'
      | 'docForm'
      | 'docLanguage'
      | 'id'
      | 'name'
      | 'processRule'
      | 'sourceText'
      | 'uploader'
      | 'workspaceId'
    >,
  ): Promise<DocumentRow> {
    await this.db.dataSource.query(
      `INSERT INTO rag.documents (id, workspace_id, dataset_id, position, name, batch, data_source_type, data_source_info, source_text, process_rule, doc_form, doc_language, indexing_status, created_by, uploader)
       VALUES ($1, $2, $3, (SELECT coalesce(max(position), 0) + 1 FROM rag.documents WHERE dataset_id = $3), $4, $5, $6, $7, $8, $9, $10, $11, 'waiting', $12, $13)`,
      [
        d.id,
        d.workspaceId,
        d.datasetId,
        d.name,
        d.batch,
        d.dataSourceType,
        JSON.stringify(d.dataSourceInfo),
        d.sourceText,
        JSON.stringify(d.processRule),
        d.docForm,
        d.docLanguage,
        d.createdBy,
        d.uploader,
      ],
    );
    return (await this.find(d.workspaceId, d.datasetId, d.id))!;
  }

  /** Replaces a document's content and settings; it waits to be indexed again under a new batch. */
  async replace(
    d: Pick<
      DocumentRow,
      'batch' | 'datasetId' | 'dataSourceInfo' | 'dataSourceType' | 'docForm' | 'id' | 'name' | 'processRule' | 'sourceText' | 'workspaceId'
    >,
  ): Promise<DocumentRow> {
    await this.db.dataSource.query(
      `UPDATE rag.documents SET name = $4, batch = $5, data_source_type = $6, data_source_info = $7, source_text = $8, process_rule = $9, doc_form = $10,
         indexing_status = 'waiting', error = NULL, processing_started_at = NULL, parsing_completed_at = NULL, cleaning_completed_at = NULL,
         splitting_completed_at = NULL, completed_at = NULL, stopped_at = NULL, updated_at = now()
       WHERE id = $1 AND workspace_id = $2 AND dataset_id = $3`,
      [
        d.id,
        d.workspaceId,
        d.datasetId,
        d.name,
        d.batch,
        d.dataSourceType,
        JSON.stringify(d.dataSourceInfo),
        d.sourceText,
        JSON.stringify(d.processRule),
        d.docForm,
      ],
    );
    return (await this.find(d.workspaceId, d.datasetId, d.id))!;
  }

  async find(workspaceId: string, datasetId: string, id: string): Promise<DocumentRow | null> {
    if (!isUuid(id) || !isUuid(datasetId)) return null;
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `${SELECT} WHERE d.id = $1 AND d.dataset_id = $2 AND d.workspace_id = $3`,
      [id, datasetId, workspaceId],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** A document by id for its ingestion job (the job names the workspace). */
  async findForIngestion(workspaceId: string, id: string): Promise<DocumentRow | null> {
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(`${SELECT} WHERE d.id = $1 AND d.workspace_id = $2`, [
      id,
      workspaceId,
    ]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async list(
    workspaceId: string,
    datasetId: string,
    opts: { keyword: string | null; limit: number; page: number; status: string | null },
  ): Promise<{ rows: DocumentRow[]; total: number }> {
    const params: unknown[] = [datasetId, workspaceId];
    const where = ['d.dataset_id = $1', 'd.workspace_id = $2'];
    if (opts.keyword) {
      params.push(containsPattern(opts.keyword));
      where.push(`d.name ILIKE $${params.length}`);
    }
    const status = displayStatusFilter(opts.status);
    if (status) where.push(status);
    const clause = where.join(' AND ');
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(
        `${SELECT} WHERE ${clause} ORDER BY d.position DESC LIMIT ${opts.limit} OFFSET ${(opts.page - 1) * opts.limit}`,
        params,
      ) as Promise<Record<string, unknown>[]>,
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM rag.documents d WHERE ${clause}`, params) as Promise<
        { total: number }[]
      >,
    ]);
    return { rows: rows.map(toRow), total: count[0]?.total ?? 0 };
  }

  async byBatch(workspaceId: string, datasetId: string, batch: string): Promise<DocumentRow[]> {
    if (!isUuid(datasetId)) return [];
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `${SELECT} WHERE d.dataset_id = $1 AND d.workspace_id = $2 AND d.batch = $3 ORDER BY d.position`,
      [datasetId, workspaceId, batch],
    );
    return rows.map(toRow);
  }

  async delete(workspaceId: string, datasetId: string, id: string): Promise<void> {
    await this.db.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM rag.child_chunks WHERE document_id = $1 AND dataset_id = $2 AND workspace_id = $3`, [
        id,
        datasetId,
        workspaceId,
      ]);
      await m.query(`DELETE FROM rag.segments WHERE document_id = $1 AND dataset_id = $2 AND workspace_id = $3`, [
        id,
        datasetId,
        workspaceId,
      ]);
      await m.query(`DELETE FROM rag.documents WHERE id = $1 AND dataset_id = $2 AND workspace_id = $3`, [id, datasetId, workspaceId]);
    });
  }

  /** Applies enable/disable/archive/un_archive to documents of a dataset; returns how many changed. */
  async setStatus(
    workspaceId: string,
    datasetId: string,
    ids: string[],
    action: 'enable' | 'disable' | 'archive' | 'un_archive',
  ): Promise<number> {
    const set = { archive: 'archived = true', disable: 'enabled = false', enable: 'enabled = true', un_archive: 'archived = false' }[
      action
    ];
    const valid = ids.filter(isUuid);
    const rows = await this.db.rows<{ id: string }>(
      `UPDATE rag.documents SET ${set}, updated_at = now() WHERE id = ANY($1::uuid[]) AND dataset_id = $2 AND workspace_id = $3 RETURNING id`,
      [valid, datasetId, workspaceId],
    );
    return rows.length;
  }

  /** Records that indexing reached `stage` (and when the stage before it ended). */
  async enterStage(id: string, stage: IndexingStage): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE rag.documents SET indexing_status = $2, ${STAGE_DONE[stage]} = now(), updated_at = now() WHERE id = $1`,
      [id, stage],
    );
  }

  async fail(id: string, error: string): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE rag.documents SET indexing_status = 'error', error = $2, stopped_at = now(), updated_at = now() WHERE id = $1`,
      [id, error.slice(0, 2000)],
    );
  }

  /**
   * Replaces a document's segments (and child chunks) with the new ones and marks it completed, in one
   * transaction: a reader sees the old segments or the new ones, never a mix, duplicates or a gap,
   * however often the job runs.
   */
  async completeIndexing(
    doc: Pick<DocumentRow, 'createdBy' | 'datasetId' | 'id' | 'workspaceId'>,
    segments: SegmentInsert[],
    totals: { tokens: number; wordCount: number },
  ): Promise<void> {
    await this.db.dataSource.transaction(async (m) => {
      const locked: unknown[] = await m.query(`SELECT id FROM rag.documents WHERE id = $1 FOR UPDATE`, [doc.id]);
      if (locked.length === 0) return;
      await m.query(`DELETE FROM rag.child_chunks WHERE document_id = $1`, [doc.id]);
      await m.query(`DELETE FROM rag.segments WHERE document_id = $1`, [doc.id]);
      for (let i = 0; i < segments.length; i += 500) {
        const batch = segments.slice(i, i + 500);
        await m.query(
          `INSERT INTO rag.segments (id, workspace_id, dataset_id, document_id, position, content, word_count, tokens, index_node_id, index_node_hash,
             embedding, embedding_dim, content_tsv, created_by, completed_at)
           SELECT t.id, $1, $2, $3, t.position, t.content, t.word_count, t.tokens, t.id::text, t.index_node_hash,
             t.embedding::vector, t.embedding_dim, to_tsvector('simple', t.full_text), $4, now()
           FROM jsonb_to_recordset($5::jsonb) AS t(id uuid, position integer, content text, word_count integer, tokens integer, index_node_hash text, embedding text, embedding_dim integer, full_text text)`,
          [
            doc.workspaceId,
            doc.datasetId,
            doc.id,
            doc.createdBy,
            JSON.stringify(
              batch.map((s) => ({
                content: s.content,
                embedding: s.embedding,
                embedding_dim: s.embeddingDim,
                full_text: s.fullText,
                id: s.id,
                index_node_hash: s.indexNodeHash,
                position: s.position,
                tokens: s.tokens,
                word_count: s.wordCount,
              })),
            ),
          ],
        );
      }
      const children = segments.flatMap((s) => (s.childChunks ?? []).map((c) => ({ ...c, segmentId: s.id })));
      for (let i = 0; i < children.length; i += 500) {
        await insertChildChunks(m, doc, children.slice(i, i + 500), 'automatic');
      }
      await m.query(
        `UPDATE rag.documents SET indexing_status = 'completed', error = NULL, word_count = $2, tokens = $3, completed_at = now(), updated_at = now(),
           splitting_completed_at = coalesce(splitting_completed_at, now()) WHERE id = $1`,
        [doc.id, totals.wordCount, totals.tokens],
      );
    });
  }
}

/**
 * Inserts child chunks of one document (each naming its segment) in one statement; `index_node_id` is
 * the chunk's id, as for segments.
 */
export async function insertChildChunks(
  m: { query(sql: string, params?: unknown[]): Promise<unknown> },
  doc: Pick<DocumentRow, 'createdBy' | 'datasetId' | 'id' | 'workspaceId'>,
  chunks: (ChildChunkInsert & { segmentId: string })[],
  type: 'automatic' | 'customized',
): Promise<void> {
  if (chunks.length === 0) return;
  await m.query(
    `INSERT INTO rag.child_chunks (id, workspace_id, dataset_id, document_id, segment_id, position, content, word_count, index_node_id, index_node_hash, type,
       embedding, embedding_dim, content_tsv, created_by)
     SELECT t.id, $1, $2, $3, t.segment_id, t.position, t.content, t.word_count, t.id::text, t.index_node_hash, $5,
       t.embedding::vector, t.embedding_dim, to_tsvector('simple', t.full_text), $4
     FROM jsonb_to_recordset($6::jsonb) AS t(id uuid, segment_id uuid, position integer, content text, word_count integer, index_node_hash text, embedding text, embedding_dim integer, full_text text)`,
    [
      doc.workspaceId,
      doc.datasetId,
      doc.id,
      doc.createdBy,
      type,
      JSON.stringify(
        chunks.map((c) => ({
          content: c.content,
          embedding: c.embedding,
          embedding_dim: c.embeddingDim,
          full_text: c.fullText,
          id: c.id,
          index_node_hash: c.indexNodeHash,
          position: c.position,
          segment_id: c.segmentId,
          word_count: c.wordCount,
        })),
      ),
    ],
  );
}

/** Dify's `status` filter of the document list (display statuses) as SQL over the stored columns. */
function displayStatusFilter(status: string | null): string | null {
  switch (status) {
    case 'queuing':
      return `d.indexing_status = 'waiting' AND NOT d.archived`;
    case 'indexing':
      return `d.indexing_status IN ('parsing', 'cleaning', 'splitting', 'indexing') AND NOT d.archived`;
    case 'paused':
      return `d.indexing_status = 'paused'`;
    case 'error':
      return `d.indexing_status = 'error'`;
    case 'available':
      return `d.indexing_status = 'completed' AND d.enabled AND NOT d.archived`;
    case 'disabled':
      return `d.indexing_status = 'completed' AND NOT d.enabled AND NOT d.archived`;
    case 'archived':
      return 'd.archived';
    default:
      return null;
  }
}
