import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DocumentErrors, isUuid, type RequestOf, type ResponseOf, SegmentErrors } from '@weft/contracts';
import { DatabaseService, containsPattern } from '@weft/persistence';
import { DatasetService } from '../datasets/dataset.service';
import { DocumentService } from '../documents/document.service';
import { DEFAULT_EMBEDDING_MODEL, EmbeddingService } from '../embeddings/embedding.service';
import { toVectorLiteral } from '../embeddings/vector.util';
import { contentHash } from '../ingestion/content-hash.util';
import { estimateTokens } from '../ingestion/token-count.util';
import { toFullTextDocument } from '../retrieval/full-text.util';
import { ChildChunkService, showsChildChunks } from './child-chunk.service';
import type { DocumentRow } from '../documents/document.dto';

const seconds = (v: unknown) => (v ? Math.floor(new Date(v as string).getTime() / 1000) : null);
const COLUMNS = `id, position, document_id, content, answer, word_count, tokens, keywords, index_node_id, index_node_hash, hit_count, enabled, status, created_by, created_at, updated_at, completed_at`;

/** Dify's `Segment` object; `childChunks` are Dify's `ChildChunk` objects of a parent-child segment. */
export function toSegmentResponse(r: Record<string, unknown>, childChunks: Record<string, unknown>[] = []): Record<string, unknown> {
  return {
    answer: r['answer'] ?? null,
    attachments: [],
    child_chunks: childChunks,
    completed_at: seconds(r['completed_at']),
    content: r['content'],
    created_at: seconds(r['created_at']),
    created_by: r['created_by'] ?? null,
    disabled_at: null,
    disabled_by: null,
    document_id: r['document_id'],
    enabled: r['enabled'],
    error: null,
    hit_count: Number(r['hit_count'] ?? 0),
    id: r['id'],
    index_node_hash: r['index_node_hash'],
    index_node_id: r['index_node_id'],
    indexing_at: seconds(r['created_at']),
    keywords: r['keywords'] ?? [],
    position: Number(r['position']),
    sign_content: r['content'],
    status: r['status'],
    stopped_at: null,
    summary: null,
    tokens: Number(r['tokens'] ?? 0),
    updated_at: seconds(r['updated_at']),
    updated_by: null,
    word_count: Number(r['word_count'] ?? 0),
  };
}

/** Segments (chunks) of an indexed document: listed, added, edited (re-embedded), enabled and deleted by hand. */
@Injectable()
export class SegmentService {
  constructor(
    private readonly db: DatabaseService,
    private readonly datasets: DatasetService,
    private readonly documents: DocumentService,
    private readonly embeddings: EmbeddingService,
    private readonly childChunks: ChildChunkService,
  ) {}

  /** Segment rows as Dify's objects, with their child chunks where Dify shows them. */
  private async responses(document: DocumentRow, rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const children = showsChildChunks(document)
      ? await this.childChunks.forSegments(rows.map((r) => r['id'] as string))
      : new Map<string, Record<string, unknown>[]>();
    return rows.map((r) => toSegmentResponse(r, children.get(r['id'] as string) ?? []));
  }

  async list(req: RequestOf<'kb.segment.list.v1'>): Promise<ResponseOf<'kb.segment.list.v1'>> {
    const document = await this.documents.require(req.workspaceId, req.datasetId, req.documentId);
    const params: unknown[] = [document.id, req.workspaceId];
    const where = ['document_id = $1', 'workspace_id = $2'];
    if (req.keyword) {
      params.push(containsPattern(req.keyword));
      where.push(`content ILIKE $${params.length}`);
    }
    if (req.status.length > 0) {
      params.push(req.status);
      where.push(`status = ANY($${params.length})`);
    }
    const clause = where.join(' AND ');
    const [rows, count] = await Promise.all([
      this.db.dataSource.query(
        `SELECT ${COLUMNS} FROM rag.segments WHERE ${clause} ORDER BY position LIMIT ${req.limit} OFFSET ${(req.page - 1) * req.limit}`,
        params,
      ) as Promise<Record<string, unknown>[]>,
      this.db.dataSource.query(`SELECT count(*)::int AS total FROM rag.segments WHERE ${clause}`, params) as Promise<{ total: number }[]>,
    ]);
    const total = count[0]?.total ?? 0;
    return {
      data: await this.responses(document, rows),
      doc_form: document.docForm,
      has_more: req.page * req.limit < total,
      limit: req.limit,
      page: req.page,
      total,
    };
  }

  async create(req: RequestOf<'kb.segment.create.v1'>): Promise<{ data: Record<string, unknown>[]; doc_form: string }> {
    const document = await this.writableDocument(req.workspaceId, req.datasetId, req.documentId);
    // A parent-child document's new segments get child chunks cut by the document's subchunk rule, as in Dify.
    const hierarchical = document.docForm === 'hierarchical_model';
    const vectors = hierarchical
      ? null
      : await this.embed(
          req.workspaceId,
          req.datasetId,
          req.segments.map((s) => s.content),
        );
    const children = hierarchical
      ? await Promise.all(req.segments.map((s) => this.childChunks.prepareRegeneration(document, s.content)))
      : [];
    const rows = await this.db.dataSource.transaction(async (m) => {
      await m.query(`SELECT id FROM rag.documents WHERE id = $1 FOR UPDATE`, [document.id]);
      const created: Record<string, unknown>[] = [];
      for (const [i, s] of req.segments.entries()) {
        const id = randomUUID();
        const vector = vectors?.[i];
        const inserted: Record<string, unknown>[] = await m.query(
          `INSERT INTO rag.segments (id, workspace_id, dataset_id, document_id, position, content, answer, keywords, word_count, tokens, index_node_id, index_node_hash,
             embedding, embedding_dim, content_tsv, completed_at)
           VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), 0) + 1 FROM rag.segments WHERE document_id = $4), $5, $6, $7, $8, $9, $14, $10, $11::vector, $12, to_tsvector('simple', $13), now())
           RETURNING ${COLUMNS}`,
          [
            id,
            req.workspaceId,
            document.datasetId,
            document.id,
            s.content,
            s.answer ?? null,
            JSON.stringify(s.keywords ?? []),
            s.content.length,
            estimateTokens(s.content),
            contentHash(s.content),
            vector ? toVectorLiteral(vector) : null,
            vector?.length ?? null,
            toFullTextDocument(s.content),
            id,
          ],
        );
        created.push(inserted[0]!);
        if (hierarchical) await this.childChunks.replaceForSegment(m, document, id, children[i]!);
      }
      await m.query(`UPDATE rag.documents SET word_count = word_count + $2, updated_at = now() WHERE id = $1`, [
        document.id,
        req.segments.reduce((n, s) => n + s.content.length, 0),
      ]);
      return created;
    });
    await this.datasets.changed(document.datasetId);
    return { data: await this.responses(document, rows), doc_form: document.docForm };
  }

  async get(req: RequestOf<'kb.segment.get.v1'>): Promise<{ data: Record<string, unknown>; doc_form: string }> {
    const document = await this.documents.require(req.workspaceId, req.datasetId, req.documentId);
    const [data] = await this.responses(document, [await this.requireSegment(document.id, req.segmentId)]);
    return { data: data!, doc_form: document.docForm };
  }

  async update(req: RequestOf<'kb.segment.update.v1'>): Promise<{ data: Record<string, unknown>; doc_form: string }> {
    const document = await this.writableDocument(req.workspaceId, req.datasetId, req.documentId);
    const current = await this.requireSegment(document.id, req.segmentId);
    const { answer, content, enabled, keywords, regenerate_child_chunks: regenerate } = req.segment;
    const hierarchical = document.docForm === 'hierarchical_model';
    // Parent segments are not embedded (their child chunks are); Dify cuts new children only when asked.
    const vector = content && !hierarchical ? (await this.embed(req.workspaceId, req.datasetId, [content]))?.[0] : undefined;
    const children =
      hierarchical && regenerate ? await this.childChunks.prepareRegeneration(document, content ?? (current['content'] as string)) : null;
    const rows = await this.db.dataSource.transaction(async (m) => {
      const updated = await this.db.rowsIn<Record<string, unknown>>(
        m,
        `UPDATE rag.segments SET
           content = coalesce($3, content), answer = coalesce($4, answer), keywords = coalesce($5::jsonb, keywords), enabled = coalesce($6, enabled),
           word_count = coalesce(length($3), word_count), tokens = coalesce($7, tokens), index_node_hash = coalesce($8, index_node_hash),
           embedding = CASE WHEN $3::text IS NULL THEN embedding ELSE $9::vector END, embedding_dim = CASE WHEN $3::text IS NULL THEN embedding_dim ELSE $10 END,
           content_tsv = CASE WHEN $3::text IS NULL THEN content_tsv ELSE to_tsvector('simple', $11) END, updated_at = now()
         WHERE id = $1 AND document_id = $2 RETURNING ${COLUMNS}`,
        [
          req.segmentId,
          document.id,
          content ?? null,
          answer ?? null,
          keywords ? JSON.stringify(keywords) : null,
          enabled ?? null,
          content ? estimateTokens(content) : null,
          content ? contentHash(content) : null,
          vector ? toVectorLiteral(vector) : null,
          vector?.length ?? null,
          content ? toFullTextDocument(content) : '',
        ],
      );
      if (children) await this.childChunks.replaceForSegment(m, document, req.segmentId, children);
      return updated;
    });
    await this.datasets.changed(document.datasetId);
    const [data] = await this.responses(document, rows);
    return { data: data!, doc_form: document.docForm };
  }

  async delete(req: RequestOf<'kb.segment.delete.v1'>): Promise<void> {
    const document = await this.writableDocument(req.workspaceId, req.datasetId, req.documentId);
    await this.requireSegment(document.id, req.segmentId);
    await this.db.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM rag.child_chunks WHERE segment_id = $1 AND document_id = $2`, [req.segmentId, document.id]);
      await m.query(`DELETE FROM rag.segments WHERE id = $1 AND document_id = $2`, [req.segmentId, document.id]);
    });
    await this.datasets.changed(document.datasetId);
  }

  /** Dify allows hand edits only on an indexed, enabled, unarchived document. */
  private async writableDocument(workspaceId: string, datasetId: string, documentId: string) {
    const document = await this.documents.require(workspaceId, datasetId, documentId);
    if (document.indexingStatus !== 'completed') throw DocumentErrors.notCompleted();
    if (!document.enabled) throw DocumentErrors.disabled();
    if (document.archived) throw DocumentErrors.archived();
    return document;
  }

  private async requireSegment(documentId: string, segmentId: string): Promise<Record<string, unknown>> {
    const rows: Record<string, unknown>[] = isUuid(segmentId)
      ? await this.db.dataSource.query(`SELECT ${COLUMNS} FROM rag.segments WHERE id = $1 AND document_id = $2`, [segmentId, documentId])
      : [];
    if (!rows[0]) throw SegmentErrors.notFound();
    return rows[0];
  }

  /** Embeddings for hand-written segments with the dataset's model; null for economy datasets. */
  private async embed(workspaceId: string, datasetId: string, texts: string[]): Promise<number[][] | null> {
    const dataset = await this.datasets.require(workspaceId, datasetId);
    if (dataset.indexingTechnique === 'economy') return null;
    const model =
      dataset.embeddingModel && dataset.embeddingModelProvider
        ? { model: dataset.embeddingModel, provider: dataset.embeddingModelProvider }
        : DEFAULT_EMBEDDING_MODEL;
    return this.embeddings.embed(workspaceId, model, texts);
  }
}
