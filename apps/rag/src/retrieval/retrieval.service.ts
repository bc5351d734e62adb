import { Injectable, Logger } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { DatasetErrors, type RequestOf } from '@weft/contracts';
import { DatabaseService } from '@weft/persistence';
import { datasetRetrievalModel, type DatasetSettings } from '../datasets/dataset.dto';
import { DatasetRepository } from '../datasets/dataset.repository';
import { DEFAULT_EMBEDDING_MODEL, EmbeddingService } from '../embeddings/embedding.service';
import { toVectorLiteral } from '../embeddings/vector.util';
import { hnswOrderBy, INDEXED_EMBEDDING_DIMENSIONS } from '../segments/embedding-index.util';
import { toSegmentResponse } from '../segments/segment.service';
import { groupChildHits, type ChildChunkHit } from './child-chunk-hits.util';
import { searchFullText } from './full-text.util';
import { FrequentTermsService } from './frequent-terms.service';
import { dedupeById, fuseHybrid, normalizeKeywordScores, selectTopHits, type ScoredHit } from './fusion.util';
import { buildMetadataFilter } from './metadata-filter.util';
import { RerankerService } from './reranker.service';
import { RetrievalCache } from './retrieval-cache.service';
import type { RetrievalModel } from './retrieval-model.types';
import { MetadataFilteringConditionsSchema, RetrievalParamError } from './retrieval-model.types';
import { effectiveScoreThreshold, parseRetrievalModel, planHybridFusion } from './retrieval-model.util';

/**
 * HNSW search width: candidates kept while walking the graph (with m 24 and ef_construction 128 in the
 * migrations). On `npm run bench:rag` (100,000 segments of 512 dimensions, half-precision index)
 * ef_search 150 gives recall@10 0.82 at p95 11 ms; 200 gives 0.84-0.85 at p95 16-17 ms (two runs), past
 * the 15 ms target for 0.03 more recall. On real text (27,550 segments) 150 gives 0.95 at p95 6 ms.
 * A larger top_k widens it.
 */
export const HNSW_EF_SEARCH = 150;
const INDEXED = new Set<number>(INDEXED_EMBEDDING_DIMENSIONS);

interface DatasetHit extends ScoredHit {
  /** Parent-child datasets: the child chunks of this segment that matched. */
  childChunks?: ChildChunkHit[];
  datasetId: string;
}

/** What a search walks: segments, or the child chunks of parent-child datasets (answered as their parents). */
export type SearchTable = 'rag.segments' | 'rag.child_chunks';

/** The SQL of one searched table: its rows `s`, joined to their documents `d` and, for child chunks, their segments. */
function fromClause(table: SearchTable): { from: string; enabled: string } {
  return table === 'rag.segments'
    ? { enabled: 's.enabled', from: 'rag.segments s JOIN rag.documents d ON d.id = s.document_id' }
    : {
        enabled: 'p.enabled',
        from: 'rag.child_chunks s JOIN rag.segments p ON p.id = s.segment_id JOIN rag.documents d ON d.id = s.document_id',
      };
}

/**
 * The semantic search of one dataset: $1 the query vector, $2 the workspace, $3 the dataset, $4 top_k,
 * then the metadata filter's parameters. Indexed sizes use their HNSW expression index (the halfvec cast
 * and the partial predicate must match it): the dataset's own index when it has one (see
 * segments/dataset-vector-index.util.ts), else the shared one; other sizes scan exactly. Hits are
 * ordered by the index's half-precision distance and scored with the full-precision one (the caller
 * re-sorts by score).
 */
export function semanticSearchSql(table: SearchTable, dim: number, metadataSql: string | null): string {
  const distance = 's.embedding <=> $1::vector';
  const order = INDEXED.has(dim) ? hnswOrderBy(dim, '$1') : distance;
  const { enabled, from } = fromClause(table);
  return `SELECT s.id, 1 - (${distance}) AS score FROM ${from}
      WHERE s.embedding_dim = ${dim} AND s.workspace_id = $2 AND s.dataset_id = $3 AND ${enabled}
        AND d.enabled AND NOT d.archived AND d.indexing_status = 'completed'${metadataSql ? ` AND ${metadataSql}` : ''}
      ORDER BY ${order} LIMIT $4`;
}

/**
 * Searches datasets: semantic (pgvector HNSW, cosine), full-text (tsvector, GIN), keyword (the same
 * full-text index) or hybrid (both, fused by weighted score or reciprocal rank), always within one
 * workspace and the asked datasets, only over enabled segments of available documents, with Dify's
 * metadata filters, top_k and score threshold. Several datasets are searched at the same time and
 * merged by score. Results go through the two-level retrieval cache.
 */
@Injectable()
export class RetrievalService {
  private readonly logger = new Logger(RetrievalService.name);

  constructor(
    private readonly db: DatabaseService,
    private readonly datasets: DatasetRepository,
    private readonly embeddings: EmbeddingService,
    private readonly cache: RetrievalCache,
    private readonly reranker: RerankerService,
    private readonly frequentTerms: FrequentTermsService,
  ) {}

  /** Searches as the request says, inside a `weft.retrieval` span (dataset ids, search method, top_k, hits). */
  async retrieve(req: RequestOf<'kb.retrieve.v1'>): Promise<{ query: { content: string }; records: Record<string, unknown>[] }> {
    const span = trace.getTracer('weft').startSpan('weft.retrieval', {
      attributes: { 'weft.retrieval.dataset_ids': req.datasetIds, 'weft.workspace.id': req.workspaceId },
    });
    try {
      const answer = await this.searchDatasets(req, (method, topK) =>
        span.setAttributes({ 'weft.retrieval.search_method': method, 'weft.retrieval.top_k': topK }),
      );
      span.setAttribute('weft.retrieval.hits', answer.records.length);
      return answer;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  private async searchDatasets(
    req: RequestOf<'kb.retrieve.v1'>,
    planned: (searchMethod: string, topK: number) => void,
  ): Promise<{ query: { content: string }; records: Record<string, unknown>[] }> {
    const datasets = await this.datasets.findSettings(req.workspaceId, req.datasetIds);
    if (datasets.length === 0) throw DatasetErrors.notFound();
    const filter = req.metadataFilter ? parseMetadataFilter(req.metadataFilter) : null;
    const models = datasets.map((d) => {
      const model = parseRetrievalModel(req.retrievalModel, datasetRetrievalModel(d));
      return filter ? { ...model, metadata_filtering_conditions: filter } : model;
    });
    // An economy dataset has no vectors: it is always searched by full text.
    const methods = new Set(datasets.map((d, i) => (d.indexingTechnique === 'economy' ? 'full_text_search' : models[i]!.search_method)));
    planned([...methods].sort().join(','), Math.max(...models.map((m) => m.top_k)));
    const query = req.query;
    const records = await this.cache.getOrCompute(
      datasets.map((d) => d.id),
      { models, query, workspaceId: req.workspaceId },
      async () => {
        const perDataset = await Promise.all(datasets.map((d, i) => this.search(d, models[i]!, query)));
        const topK = Math.max(...models.map((m) => m.top_k));
        const hits = selectTopHits(perDataset.flat(), { scoreThreshold: null, topK });
        return this.records(req.workspaceId, hits, datasets);
      },
    );
    this.countHits(records);
    return { query: { content: query }, records };
  }

  /** One dataset's hits for the query, best first, cut to its top_k and threshold. */
  private async search(dataset: DatasetSettings, model: RetrievalModel, query: string): Promise<DatasetHit[]> {
    const filter = model.metadata_filtering_conditions;
    const threshold = effectiveScoreThreshold(model);
    const options = { scoreThreshold: threshold, topK: model.top_k };
    const economy = dataset.indexingTechnique === 'economy';
    const method = economy ? 'full_text_search' : model.search_method;
    const plan = planHybridFusion(model);
    const table: SearchTable = dataset.docForm === 'hierarchical_model' ? 'rag.child_chunks' : 'rag.segments';
    let hits: ScoredHit[];
    if (plan.kind === 'reranking_model') {
      // A rerank model orders the candidates of the search (both lists for hybrid) by its own relevance.
      const lists = await Promise.all([
        method === 'full_text_search' || method === 'keyword_search' ? [] : this.semantic(table, dataset, query, model.top_k, filter),
        method === 'semantic_search' ? [] : this.fullText(table, dataset, query, model.top_k, filter),
      ]);
      const candidates = dedupeById(lists.flat());
      const contents = await this.contents(
        table,
        candidates.map((c) => c.id),
      );
      const reranked = await this.reranker.rerank(
        dataset.workspaceId,
        plan.providerName,
        plan.modelName,
        query,
        candidates.map((c) => ({ content: contents.get(c.id) ?? '', id: c.id })),
      );
      hits = selectTopHits(reranked, options);
    } else if (method === 'semantic_search') hits = selectTopHits(await this.semantic(table, dataset, query, model.top_k, filter), options);
    else if (method === 'full_text_search' || method === 'keyword_search')
      hits = selectTopHits(normalizeKeywordScores(await this.fullText(table, dataset, query, model.top_k, filter)), options);
    else {
      const [semantic, keyword] = await Promise.all([
        this.semantic(table, dataset, query, model.top_k, filter),
        this.fullText(table, dataset, query, model.top_k, filter),
      ]);
      const fusion =
        plan.kind === 'weighted_score'
          ? { keywordWeight: plan.keywordWeight, kind: 'weighted_score' as const, vectorWeight: plan.vectorWeight }
          : { kind: 'reciprocal_rank' as const };
      hits = fuseHybrid(semantic, keyword, fusion, options);
    }
    if (table === 'rag.child_chunks') {
      const parents = await this.parentsOf(hits.map((h) => h.id));
      return groupChildHits(hits, parents).map((h) => ({ childChunks: h.childChunks, datasetId: dataset.id, id: h.id, score: h.score }));
    }
    return hits.map((h) => ({ datasetId: dataset.id, id: h.id, score: h.score }));
  }

  /** The segment each child chunk belongs to. */
  private async parentsOf(childIds: string[]): Promise<Map<string, string>> {
    if (childIds.length === 0) return new Map();
    const rows: { id: string; segment_id: string }[] = await this.db.dataSource.query(
      `SELECT id, segment_id FROM rag.child_chunks WHERE id = ANY($1::uuid[])`,
      [childIds],
    );
    return new Map(rows.map((r) => [r.id, r.segment_id]));
  }

  private async semantic(
    table: SearchTable,
    dataset: DatasetSettings,
    query: string,
    topK: number,
    filter: RetrievalModel['metadata_filtering_conditions'],
  ): Promise<ScoredHit[]> {
    const model =
      dataset.embeddingModel && dataset.embeddingModelProvider
        ? { model: dataset.embeddingModel, provider: dataset.embeddingModelProvider }
        : DEFAULT_EMBEDDING_MODEL;
    const [vector] = await this.embeddings.embed(dataset.workspaceId, model, [query]);
    const dim = vector!.length;
    const metadata = buildMetadataFilter(filter, { column: 'd.doc_metadata', firstParameterIndex: 5 });
    const sql = semanticSearchSql(table, dim, metadata.sql);
    const rows = await this.db.dataSource.transaction(async (m) => {
      // One round trip for both settings (no parameters: sent as one simple-protocol batch). Iterative
      // scans keep filtered HNSW searches (one dataset among many) from coming back short.
      await m.query(`SET LOCAL hnsw.ef_search = ${Math.max(HNSW_EF_SEARCH, topK * 2)}; SET LOCAL hnsw.iterative_scan = relaxed_order`);
      return (await m.query(sql, [toVectorLiteral(vector!), dataset.workspaceId, dataset.id, topK, ...metadata.params])) as {
        id: string;
        score: number;
      }[];
    });
    return rows.map((r) => ({ id: r.id, score: Number(r.score) })).sort((a, b) => b.score - a.score);
  }

  /** Full-text hits, searched as searchFullText describes, with the table's frequent terms. */
  private async fullText(
    table: SearchTable,
    dataset: DatasetSettings,
    query: string,
    topK: number,
    filter: RetrievalModel['metadata_filtering_conditions'],
  ): Promise<ScoredHit[]> {
    const { hits } = await searchFullText(
      query,
      topK,
      () => this.frequentTerms.of(table),
      (rank, match) => this.rankedText(table, dataset, rank, match, topK, filter),
    );
    return hits;
  }

  /** Rows matching `match`, ranked by `rank` (both tsquery expressions). */
  private async rankedText(
    table: SearchTable,
    dataset: DatasetSettings,
    rank: string,
    match: string,
    topK: number,
    filter: RetrievalModel['metadata_filtering_conditions'],
  ): Promise<ScoredHit[]> {
    const metadata = buildMetadataFilter(filter, { column: 'd.doc_metadata', firstParameterIndex: 6 });
    const { enabled, from } = fromClause(table);
    const rows: { id: string; score: number }[] = await this.db.dataSource.query(
      `SELECT s.id, ts_rank_cd(s.content_tsv, q) AS score FROM ${from}, to_tsquery('simple', $1) q, to_tsquery('simple', $5) m
       WHERE s.content_tsv @@ m AND s.workspace_id = $2 AND s.dataset_id = $3 AND ${enabled}
         AND d.enabled AND NOT d.archived AND d.indexing_status = 'completed'${metadata.sql ? ` AND ${metadata.sql}` : ''}
       ORDER BY score DESC, s.id LIMIT $4`,
      [rank, dataset.workspaceId, dataset.id, topK, match, ...metadata.params],
    );
    return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
  }

  private async contents(table: SearchTable, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { content: string; id: string }[] = await this.db.dataSource.query(
      `SELECT id, content FROM ${table} WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.content]));
  }

  /** Dify's records for the hits, in the hits' order, each with its segment, document and dataset. */
  private async records(workspaceId: string, hits: DatasetHit[], datasets: DatasetSettings[]): Promise<Record<string, unknown>[]> {
    if (hits.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.db.dataSource.query(
      `SELECT s.id, s.position, s.document_id, s.dataset_id, s.content, s.answer, s.word_count, s.tokens, s.keywords, s.index_node_id, s.index_node_hash,
         s.hit_count, s.enabled, s.status, s.created_by, s.created_at, s.updated_at, s.completed_at,
         d.name AS document_name, d.data_source_type, d.doc_metadata
       FROM rag.segments s JOIN rag.documents d ON d.id = s.document_id WHERE s.id = ANY($1::uuid[]) AND s.workspace_id = $2`,
      [hits.map((h) => h.id), workspaceId],
    );
    const byId = new Map(rows.map((r) => [r['id'] as string, r]));
    const names = new Map(datasets.map((d) => [d.id, d.name]));
    const childIds = hits.flatMap((h) => h.childChunks?.map((c) => c.id) ?? []);
    const children: { content: string; id: string; position: number }[] =
      childIds.length === 0
        ? []
        : await this.db.dataSource.query(
            `SELECT id, content, position FROM rag.child_chunks WHERE id = ANY($1::uuid[]) AND workspace_id = $2`,
            [childIds, workspaceId],
          );
    const childById = new Map(children.map((c) => [c.id, c]));
    return hits.flatMap((hit) => {
      const row = byId.get(hit.id);
      if (!row) return [];
      return [
        {
          // Dify's parent-child records list the children that matched: `{id, content, position, score}`.
          child_chunks: (hit.childChunks ?? []).flatMap((c) => {
            const child = childById.get(c.id);
            return child ? [{ content: child.content, id: child.id, position: Number(child.position), score: c.score }] : [];
          }),
          files: [],
          score: hit.score,
          segment: {
            ...toSegmentResponse(row),
            dataset_id: row['dataset_id'],
            document: {
              data_source_type: row['data_source_type'],
              dataset_name: names.get(hit.datasetId) ?? null,
              doc_metadata: row['doc_metadata'] ?? {},
              doc_type: null,
              id: row['document_id'],
              name: row['document_name'],
            },
          },
          summary: null,
          tsne_position: null,
        },
      ];
    });
  }

  /** Dify counts how often each segment is retrieved. */
  private countHits(records: Record<string, unknown>[]): void {
    const ids = records.map((r) => (r['segment'] as { id: string }).id);
    if (ids.length === 0) return;
    this.db.dataSource
      .query(`UPDATE rag.segments SET hit_count = hit_count + 1 WHERE id = ANY($1::uuid[])`, [ids])
      .catch((error: unknown) => this.logger.warn(`Could not count segment hits: ${(error as Error).message}`));
  }
}

/** A filter a workflow passes besides the retrieval model, checked as the retrieval model's own is. */
function parseMetadataFilter(input: unknown): RetrievalModel['metadata_filtering_conditions'] {
  const parsed = MetadataFilteringConditionsSchema.safeParse(input);
  if (!parsed.success)
    throw new RetrievalParamError(`Invalid metadata_filtering_conditions: ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  return parsed.data;
}
