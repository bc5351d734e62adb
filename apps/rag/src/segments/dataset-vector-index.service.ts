import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DatabaseService, tryWithAdvisoryLock } from '@weft/persistence';
import { RAG_CONFIG, type RagConfig } from '../rag.config';
import {
  createDatasetIndexSql,
  datasetIndexName,
  datasetIndexPrefix,
  dropDatasetIndexSql,
  parseDatasetIndexName,
  VECTOR_TABLES,
  type VectorTable,
} from './dataset-vector-index.util';
import { INDEXED_EMBEDDING_DIMENSIONS } from './embedding-index.util';

/**
 * Gives a dataset its own HNSW index once it holds RAG_DATASET_INDEX_MIN_SEGMENTS vectors of one size
 * (why: dataset-vector-index.util.ts), and drops the indexes of deleted datasets. Work runs in the
 * background, one build at a time per replica; an advisory lock per index keeps two replicas from
 * building the same one. Triggered when a document finishes indexing and when a dataset is deleted,
 * and by a sweep at start-up and every RAG_DATASET_INDEX_SWEEP_SECONDS that catches whatever those
 * missed (segments added through the API, a replica that stopped mid-build, which leaves an invalid index
 * that is dropped and built again).
 */
@Injectable()
export class DatasetVectorIndexService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DatasetVectorIndexService.name);
  private queue: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closing = false;
  /** Jobs queued and not yet started, by what they do. */
  private readonly waiting = new Set<string>();
  /** The database session building an index right now, if any. */
  private buildingPid?: number;

  constructor(
    private readonly db: DatabaseService,
    @Inject(RAG_CONFIG) private readonly config: RagConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule('sweep', () => this.sweep());
    this.timer = setInterval(() => this.schedule('sweep', () => this.sweep()), this.config.retrieval.datasetIndexSweepSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    // A build may take minutes and would hold the pool open: it is cancelled, leaving an invalid index
    // that the next build (after the next document, or the next sweep, on any replica) replaces.
    const pid = this.buildingPid;
    if (pid !== undefined) await this.db.rows('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
  }

  /** After a dataset grew: its own index, in the background, if it is now big enough. */
  datasetGrew(datasetId: string): void {
    this.schedule(`dataset ${datasetId}`, () => this.ensureFor(datasetId).then(() => undefined));
  }

  /** After a dataset was deleted: its indexes go, in the background. */
  datasetDeleted(datasetId: string): void {
    this.schedule(`dataset ${datasetId} deleted`, () => this.dropFor(datasetId).then(() => undefined));
  }

  /** Resolves when the work scheduled so far is done (tests, shutdown hooks). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Builds the indexes the dataset should have and lacks; the names built. */
  async ensureFor(datasetId: string): Promise<string[]> {
    const minimum = this.config.retrieval.datasetIndexMinSegments;
    if (minimum === 0) return [];
    const built: string[] = [];
    for (const table of VECTOR_TABLES) {
      // Counting a big dataset's rows after each of its documents would be wasted once it has its index;
      // a dataset that changes embedding size gets its new index from the sweep.
      if ((await this.indexNames(datasetIndexPrefix(table, datasetId), { validOnly: true })).length > 0) continue;
      const sizes = await this.db.rows<{ dim: number }>(
        `SELECT embedding_dim AS dim FROM rag.${table} WHERE dataset_id = $1 AND embedding_dim = ANY($2::int[]) GROUP BY embedding_dim HAVING count(*) >= $3`,
        [datasetId, [...INDEXED_EMBEDDING_DIMENSIONS], minimum],
      );
      for (const { dim } of sizes) if (await this.ensureIndex(table, datasetId, dim)) built.push(datasetIndexName(table, datasetId, dim));
    }
    return built;
  }

  /** Drops every index of the dataset; the names dropped. */
  async dropFor(datasetId: string): Promise<string[]> {
    const dropped: string[] = [];
    for (const table of VECTOR_TABLES) {
      for (const name of await this.indexNames(datasetIndexPrefix(table, datasetId))) {
        await this.db.rows(dropDatasetIndexSql(name));
        dropped.push(name);
      }
    }
    return dropped;
  }

  /**
   * Drops the indexes of datasets that no longer exist, then builds the missing ones, largest datasets
   * first. One replica sweeps at a time (the others skip: the work would be the same).
   */
  async sweep(): Promise<{ built: string[]; dropped: string[] }> {
    const result = await tryWithAdvisoryLock(this.db.dataSource, 'rag-dataset-index-sweep', () => this.sweepLocked());
    return result ?? { built: [], dropped: [] };
  }

  private async sweepLocked(): Promise<{ built: string[]; dropped: string[] }> {
    const dropped: string[] = [];
    const existing = (await this.indexNames('')).flatMap((name) => {
      const parsed = parseDatasetIndexName(name);
      return parsed ? [{ datasetId: parsed.datasetId, name }] : [];
    });
    const ids = [...new Set(existing.map((i) => i.datasetId))];
    const alive = new Set(
      (await this.db.rows<{ id: string }>(`SELECT id FROM rag.datasets WHERE id = ANY($1::uuid[])`, [ids])).map((r) => r.id),
    );
    for (const { datasetId, name } of existing) {
      if (alive.has(datasetId)) continue;
      await this.db.rows(dropDatasetIndexSql(name));
      dropped.push(name);
    }
    const built: string[] = [];
    const minimum = this.config.retrieval.datasetIndexMinSegments;
    if (minimum === 0) return { built, dropped };
    for (const table of VECTOR_TABLES) {
      const large = await this.db.rows<{ dataset_id: string; dim: number }>(
        `SELECT dataset_id, embedding_dim AS dim FROM rag.${table} WHERE embedding_dim = ANY($1::int[])
         GROUP BY dataset_id, embedding_dim HAVING count(*) >= $2 ORDER BY count(*) DESC LIMIT $3`,
        [[...INDEXED_EMBEDDING_DIMENSIONS], minimum, this.config.retrieval.datasetIndexMax],
      );
      for (const { dataset_id, dim } of large) {
        if (this.closing) break;
        if (await this.ensureIndex(table, dataset_id, dim)) built.push(datasetIndexName(table, dataset_id, dim));
      }
    }
    return { built, dropped };
  }

  /** Builds one index unless it is there and valid, or the table has its most; true when built here. */
  private async ensureIndex(table: VectorTable, datasetId: string, dim: number): Promise<boolean> {
    const name = datasetIndexName(table, datasetId, dim);
    const result = await tryWithAdvisoryLock(this.db.dataSource, `rag-dataset-index:${name}`, async (runner) => {
      const [state] = (await runner.query(
        `SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'rag' AND c.relname = $1`,
        [name],
      )) as { valid: boolean }[];
      if (state?.valid) return false;
      if (!state && (await this.indexNames(`${table}_ds_`)).length >= this.config.retrieval.datasetIndexMax) {
        this.logger.warn(`Dataset ${datasetId} would get its own vector index, but ${table} has RAG_DATASET_INDEX_MAX of them already`);
        return false;
      }
      // An invalid index is what a build cut off half-way leaves behind: it is maintained but never used.
      if (state) await runner.query(dropDatasetIndexSql(name));
      const started = Date.now();
      const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
      this.buildingPid = pid;
      try {
        if (this.closing) return false;
        await runner.query(createDatasetIndexSql(table, datasetId, dim));
      } finally {
        this.buildingPid = undefined;
      }
      this.logger.log(`Built ${name} for dataset ${datasetId} in ${Date.now() - started} ms`);
      return true;
    });
    return result ?? false;
  }

  /** Names of the dataset indexes (in the rag schema) that start with `prefix`; with `validOnly`, only usable ones. */
  private async indexNames(prefix: string, { validOnly = false } = {}): Promise<string[]> {
    const rows = await this.db.rows<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid
       WHERE n.nspname = 'rag' AND c.relkind = 'i' AND c.relname ~ '_ds_[0-9a-f]{32}_[0-9]+_hnsw$' AND left(c.relname, length($1)) = $1
         AND (i.indisvalid OR NOT $2) ORDER BY 1`,
      [prefix, validOnly],
    );
    return rows.map((r) => r.name);
  }

  /**
   * Queues a job unless the same one (by `what`) is already waiting: a dataset ingesting a thousand
   * documents asks a thousand times, and one check once they are in answers them all.
   */
  private schedule(what: string, job: () => Promise<void | unknown>): void {
    if (this.waiting.has(what)) return;
    this.waiting.add(what);
    this.queue = this.queue
      .then(async () => {
        this.waiting.delete(what);
        if (this.closing) return;
        await this.db.whenReady();
        if (!this.closing) await job();
      })
      .catch((error: unknown) => {
        if (!this.closing) this.logger.warn(`Dataset vector index work (${what}) failed: ${(error as Error).message}`);
      });
  }
}
