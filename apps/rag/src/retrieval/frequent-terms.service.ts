import { Injectable, Logger } from '@nestjs/common';
import { DatabaseService } from '@weft/persistence';
import { FULL_TEXT_STATS_SQL, frequentTermsFromStats } from './full-text.util';

/** How long a table's frequent terms are reused; statistics change only when autovacuum analyzes it. */
const TTL_MS = 10 * 60 * 1000;

/**
 * The frequent full-text terms of each searched table (rag.segments, rag.child_chunks), read from the
 * statistics Postgres keeps for their `content_tsv` column and reused for ten minutes. Without statistics
 * (a table not analyzed yet, or the read failing) no term is frequent and searches rank every match, as
 * before.
 */
@Injectable()
export class FrequentTermsService {
  private readonly logger = new Logger(FrequentTermsService.name);
  private readonly cache = new Map<string, { at: number; terms: Promise<ReadonlySet<string>> }>();

  constructor(private readonly db: DatabaseService) {}

  of(table: 'rag.segments' | 'rag.child_chunks'): Promise<ReadonlySet<string>> {
    const hit = this.cache.get(table);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.terms;
    const terms = this.load(table);
    this.cache.set(table, { at: Date.now(), terms });
    return terms;
  }

  private async load(table: string): Promise<ReadonlySet<string>> {
    const [schema, name] = table.split('.');
    try {
      const [stats] = await this.db.rows<{ elements: string[] | null; frequencies: number[] | null }>(FULL_TEXT_STATS_SQL, [schema, name]);
      return frequentTermsFromStats(stats?.elements, stats?.frequencies);
    } catch (error) {
      this.logger.warn(`Reading the frequent terms of ${table} failed: ${(error as Error).message}`);
      this.cache.delete(table);
      return new Set();
    }
  }
}
