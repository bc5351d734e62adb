import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DocumentErrors, isUuid, type RequestOf, SegmentErrors } from '@weft/contracts';
import { DatabaseService, containsPattern } from '@weft/persistence';
import { DatasetService } from '../datasets/dataset.service';
import type { DocumentRow } from '../documents/document.dto';
import { DocumentService } from '../documents/document.service';
import { DEFAULT_EMBEDDING_MODEL, EmbeddingService } from '../embeddings/embedding.service';
import { toVectorLiteral } from '../embeddings/vector.util';
import { contentHash } from '../ingestion/content-hash.util';
import type { ProcessRule } from '../ingestion/process-rule.types';
import { resolveProcessRule, splitChildChunks } from '../ingestion/text-splitter.util';
import { toFullTextDocument } from '../retrieval/full-text.util';
import { insertChildChunks } from '../documents/document.repository';

const seconds = (v: unknown) => (v ? Math.floor(new Date(v as string).getTime() / 1000) : null);
export const CHILD_CHUNK_COLUMNS = `id, segment_id, content, position, word_count, type, created_at, updated_at`;

/** Dify's `ChildChunk` object. */
export function toChildChunkResponse(r: Record<string, unknown>): Record<string, unknown> {
  return {
    content: r['content'],
    created_at: seconds(r['created_at']),
    id: r['id'],
    position: Number(r['position']),
    segment_id: r['segment_id'],
    type: r['type'],
    updated_at: seconds(r['updated_at']),
    word_count: Number(r['word_count'] ?? 0),
  };
}

/**
 * Whether a document's segments show their child chunks: Dify shows them for parent-child documents
 * cut into paragraphs, not for `full-doc` ones, whose single parent may hold thousands.
 */
export function showsChildChunks(document: Pick<DocumentRow, 'docForm' | 'processRule'>): boolean {
  if (document.docForm !== 'hierarchical_model') return false;
  const rules = document.processRule['rules'] as Record<string, unknown> | null | undefined;
  return rules?.['parent_mode'] !== 'full-doc';
}

/** A transaction-capable query runner: the data source or an entity manager inside a transaction. */
type Queryable = { query(sql: string, params?: unknown[]): Promise<unknown> };

/**
 * Child chunks of parent-child segments: listed, added, edited and deleted by hand (Dify's child-chunk
 * routes), regenerated from a segment's content, and embedded with the dataset's model so search finds them.
 */
@Injectable()
export class ChildChunkService {
  constructor(
    private readonly db: DatabaseService,
    private readonly datasets: DatasetService,
    private readonly documents: DocumentService,
    private readonly embeddings: EmbeddingService,
  ) {}

  async list(
    req: RequestOf<'kb.child-chunk.list.v1'>,
  ): Promise<{ data: Record<string, unknown>[]; limit: number; page: number; total: number; total_pages: number }> {
    const document = await this.documents.require(req.workspaceId, req.datasetId, req.documentId);
    await this.requireSegment(document, req.segmentId);
    const params: unknown[] = [req.segmentId, document.id, req.workspaceId];
    let where = 'segment_id = $1 AND document_id = $2 AND workspace_id = $3';
    if (req.keyword) {
      params.push(containsPattern(req.keyword));
      where += ` AND content ILIKE $${params.length}`;
    }
    const [rows, count] = await Promise.all([
      this.db.rows<Record<string, unknown>>(
        `SELECT ${CHILD_CHUNK_COLUMNS} FROM rag.child_chunks WHERE ${where} ORDER BY position LIMIT ${req.limit} OFFSET ${(req.page - 1) * req.limit}`,
        params,
      ),
      this.db.rows<{ total: number }>(`SELECT count(*)::int AS total FROM rag.child_chunks WHERE ${where}`, params),
    ]);
    const total = count[0]?.total ?? 0;
    return { data: rows.map(toChildChunkResponse), limit: req.limit, page: req.page, total, total_pages: Math.ceil(total / req.limit) };
  }

  /** Adds a hand-written child chunk at the end of its segment (`type: customized`, as in Dify). */
  async create(req: RequestOf<'kb.child-chunk.create.v1'>): Promise<{ data: Record<string, unknown> }> {
    const document = await this.writableDocument(req.workspaceId, req.datasetId, req.documentId);
    await this.requireSegment(document, req.segmentId);
    const [chunk] = await this.prepare(document, [req.content]);
    const row = await this.db.dataSource.transaction(async (m) => {
      // Numbering under the segment's lock keeps two concurrent additions from taking the same position.
      await m.query(`SELECT id FROM rag.segments WHERE id = $1 FOR UPDATE`, [req.segmentId]);
      const max: { position: number | null }[] = await m.query(
        `SELECT max(position) AS position FROM rag.child_chunks WHERE segment_id = $1`,
        [req.segmentId],
      );
      await insertChildChunks(m, document, [{ ...chunk!, position: (max[0]?.position ?? 0) + 1, segmentId: req.segmentId }], 'customized');
      return (
        (await m.query(`SELECT ${CHILD_CHUNK_COLUMNS} FROM rag.child_chunks WHERE id = $1`, [chunk!.id])) as Record<string, unknown>[]
      )[0]!;
    });
    await this.datasets.changed(document.datasetId);
    return { data: toChildChunkResponse(row) };
  }

  /** Replaces a child chunk's content and embedding; it becomes `customized`. */
  async update(req: RequestOf<'kb.child-chunk.update.v1'>): Promise<{ data: Record<string, unknown> }> {
    const document = await this.writableDocument(req.workspaceId, req.datasetId, req.documentId);
    await this.requireSegment(document, req.segmentId);
    const childChunkId = req.childChunkId ?? '';
    await this.requireChildChunk(req.segmentId, childChunkId);
    const [chunk] = await this.prepare(document, [req.content]);
    const rows = await this.db.rows<Record<string, unknown>>(
      `UPDATE rag.child_chunks SET content = $3, word_count = $4, index_node_hash = $5, embedding = $6::vector, embedding_dim = $7,
         content_tsv = to_tsvector('simple', $8), type = 'customized', updated_at = now()
       WHERE id = $1 AND segment_id = $2 RETURNING ${CHILD_CHUNK_COLUMNS}`,
      [
        childChunkId,
        req.segmentId,
        chunk!.content,
        chunk!.wordCount,
        chunk!.indexNodeHash,
        chunk!.embedding,
        chunk!.embeddingDim,
        chunk!.fullText,
      ],
    );
    await this.datasets.changed(document.datasetId);
    return { data: toChildChunkResponse(rows[0]!) };
  }

  async delete(req: RequestOf<'kb.child-chunk.delete.v1'>): Promise<void> {
    const document = await this.writableDocument(req.workspaceId, req.datasetId, req.documentId);
    await this.requireSegment(document, req.segmentId);
    await this.requireChildChunk(req.segmentId, req.childChunkId);
    await this.db.dataSource.query(`DELETE FROM rag.child_chunks WHERE id = $1 AND segment_id = $2`, [req.childChunkId, req.segmentId]);
    await this.datasets.changed(document.datasetId);
  }

  /** The child chunks of these segments, in order, as Dify's segment objects show them. */
  async forSegments(segmentIds: string[]): Promise<Map<string, Record<string, unknown>[]>> {
    const grouped = new Map<string, Record<string, unknown>[]>();
    if (segmentIds.length === 0) return grouped;
    const rows = await this.db.rows<Record<string, unknown>>(
      `SELECT ${CHILD_CHUNK_COLUMNS} FROM rag.child_chunks WHERE segment_id = ANY($1::uuid[]) ORDER BY segment_id, position`,
      [segmentIds],
    );
    for (const row of rows) {
      const list = grouped.get(row['segment_id'] as string) ?? [];
      list.push(toChildChunkResponse(row));
      grouped.set(row['segment_id'] as string, list);
    }
    return grouped;
  }

  /**
   * Cuts a segment's content into child chunks again by its document's subchunk rule and replaces the
   * old ones, inside the caller's transaction (embeddings are computed before it opens).
   */
  async prepareRegeneration(document: DocumentRow, content: string) {
    const rule = resolveProcessRule(document.processRule as unknown as ProcessRule);
    if (rule.mode !== 'hierarchical') return [];
    const drafts = splitChildChunks(content, rule.subchunkSegmentation);
    const prepared = await this.prepare(
      document,
      drafts.map((d) => d.content),
    );
    return prepared.map((chunk, i) => ({ ...chunk, position: drafts[i]!.position }));
  }

  /** Writes prepared child chunks for a segment, replacing any it had. */
  async replaceForSegment(
    m: Queryable,
    document: DocumentRow,
    segmentId: string,
    chunks: Awaited<ReturnType<ChildChunkService['prepareRegeneration']>>,
  ): Promise<void> {
    await m.query(`DELETE FROM rag.child_chunks WHERE segment_id = $1`, [segmentId]);
    await insertChildChunks(
      m,
      document,
      chunks.map((c) => ({ ...c, segmentId })),
      'automatic',
    );
  }

  /** Contents with ids, hashes, full-text documents and (for high-quality datasets) embeddings. */
  private async prepare(document: DocumentRow, contents: string[]) {
    const dataset = await this.datasets.require(document.workspaceId, document.datasetId);
    const model =
      dataset.embeddingModel && dataset.embeddingModelProvider
        ? { model: dataset.embeddingModel, provider: dataset.embeddingModelProvider }
        : DEFAULT_EMBEDDING_MODEL;
    const vectors =
      dataset.indexingTechnique === 'economy' || contents.length === 0
        ? null
        : await this.embeddings.embed(document.workspaceId, model, contents);
    return contents.map((content, i) => {
      const vector = vectors?.[i];
      return {
        content,
        embedding: vector ? toVectorLiteral(vector) : null,
        embeddingDim: vector ? vector.length : null,
        fullText: toFullTextDocument(content),
        id: randomUUID(),
        indexNodeHash: contentHash(content),
        position: i + 1,
        wordCount: content.length,
      };
    });
  }

  /** Child chunks exist only in parent-child documents; hand edits need an indexed, enabled, unarchived one. */
  private async writableDocument(workspaceId: string, datasetId: string, documentId: string): Promise<DocumentRow> {
    const document = await this.documents.require(workspaceId, datasetId, documentId);
    if (document.archived) throw DocumentErrors.archived();
    if (document.indexingStatus !== 'completed') throw DocumentErrors.notCompleted();
    if (!document.enabled) throw DocumentErrors.disabled();
    if (document.docForm !== 'hierarchical_model') throw SegmentErrors.childChunksNeedHierarchical();
    return document;
  }

  private async requireSegment(document: DocumentRow, segmentId: string): Promise<void> {
    const rows = isUuid(segmentId)
      ? await this.db.rows(`SELECT id FROM rag.segments WHERE id = $1 AND document_id = $2 AND workspace_id = $3`, [
          segmentId,
          document.id,
          document.workspaceId,
        ])
      : [];
    if (rows.length === 0) throw SegmentErrors.notFound();
  }

  private async requireChildChunk(segmentId: string, childChunkId: string): Promise<void> {
    const rows = isUuid(childChunkId)
      ? await this.db.rows(`SELECT id FROM rag.child_chunks WHERE id = $1 AND segment_id = $2`, [childChunkId, segmentId])
      : [];
    if (rows.length === 0) throw SegmentErrors.childChunkNotFound();
  }
}
