import { lexicalRuns } from '../embeddings/lexical-tokens.util';

// Text for Postgres full-text search that works across languages with the `simple` configuration
// (lower case, no stemming, no stop words: the same for every language a dataset may hold).
//
// Postgres's default parser keeps a run of CJK characters as one word, so "知识库检索" would match
// only that exact run. The stored text therefore lists every CJK character and every adjacent pair
// as words of their own; a query looks them up by pairs (by the character when it stands alone).
// Everything else is split into letter/digit words as the embedder sees them.
//
// Store:  search_vector = to_tsvector('simple', $1)        with $1 = toFullTextDocument(content)
// Query:  search_vector @@ to_tsquery('simple', $2)        with $2 = toFullTextQuery(query)
// Rank:   ts_rank_cd(search_vector, to_tsquery('simple', $2))

/** Most terms a query keeps; a pasted page as a query should not become a thousand-way OR. */
export const MAX_QUERY_TERMS = 64;

function characterPairs(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length === 1) return chars;
  const pairs: string[] = [];
  for (let i = 0; i + 1 < chars.length; i += 1) pairs.push(chars[i] + chars[i + 1]);
  return pairs;
}

/** The text to index with `to_tsvector('simple', ...)`: normalized words, CJK as characters and adjacent pairs. */
export function toFullTextDocument(text: string): string {
  const words: string[] = [];
  for (const run of lexicalRuns(text)) {
    if (!run.characters) {
      words.push(run.text);
      continue;
    }
    words.push(...Array.from(run.text));
    if (Array.from(run.text).length > 1) words.push(...characterPairs(run.text));
  }
  return words.join(' ');
}

/**
 * A `to_tsquery('simple', ...)` expression for a user's query, or null when it holds no word (the
 * caller then returns no full-text hits). `any` (default) ORs the terms and lets the rank order the
 * matches, as keyword search in Dify does; `all` requires every term. Terms are distinct, at most
 * `MAX_QUERY_TERMS`, and each is quoted; a term holds only letters, digits and marks, so no input can
 * produce tsquery syntax.
 */
export function toFullTextQuery(query: string, match: 'any' | 'all' = 'any'): string | null {
  return joinTerms(queryTerms(query), match);
}

/** Quoted terms joined by AND or OR; null for none. */
function joinTerms(terms: readonly string[], match: 'any' | 'all'): string | null {
  if (terms.length === 0) return null;
  return terms.map((term) => `'${term}'`).join(match === 'all' ? ' & ' : ' | ');
}

/** The distinct terms of a query, as toFullTextQuery uses them. */
function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const run of lexicalRuns(query)) {
    for (const term of run.characters ? characterPairs(run.text) : [run.text]) {
      if (terms.size < MAX_QUERY_TERMS) terms.add(term);
    }
  }
  return [...terms];
}

/** A term held by at least this share of a table's rows is frequent: it tells rows apart poorly. */
export const FREQUENT_TERM_SHARE = 0.05;

/**
 * The statistics frequentTermsFromStats reads, for the `content_tsv` column of table $2 in schema $1:
 * the most common lexemes and the share of rows holding each.
 */
export const FULL_TEXT_STATS_SQL = `SELECT most_common_elems::text::text[] AS elements, most_common_elem_freqs AS frequencies
  FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = 'content_tsv'`;

/**
 * The frequent terms of a tsvector column from its Postgres statistics (pg_stats.most_common_elems and
 * most_common_elem_freqs, the share of rows holding each; the last three frequencies are summary values).
 */
export function frequentTermsFromStats(
  elements: readonly string[] | null | undefined,
  frequencies: readonly number[] | null | undefined,
  share = FREQUENT_TERM_SHARE,
): Set<string> {
  const frequent = new Set<string>();
  if (!elements || !frequencies) return frequent;
  elements.forEach((element, i) => {
    const frequency = frequencies[i];
    if (frequency !== undefined && frequency >= share) frequent.add(element);
  });
  return frequent;
}

/**
 * The any-term query without the query's frequent terms ("the", "of", a product name every segment
 * repeats), for choosing which rows to rank; null when that leaves no term or removes none. An OR
 * holding a word most rows contain makes Postgres rank nearly the whole dataset (about 300 ms per query
 * at 100,000 segments in `npm run bench:rag`), while a row that holds only such words is rarely what
 * the query is about. The rows found are still ranked by the whole query.
 */
export function toDiscriminatingQuery(query: string, frequent: ReadonlySet<string>): string | null {
  return discriminatingQuery(queryTerms(query), frequent);
}

function discriminatingQuery(terms: readonly string[], frequent: ReadonlySet<string>): string | null {
  const kept = terms.filter((term) => !frequent.has(term));
  return kept.length === terms.length ? null : joinTerms(kept, 'any');
}

/** Which step of searchFullText answered: every term, the discriminating terms, or any term. */
export type FullTextStep = 'all' | 'discriminating' | 'any';

/**
 * Full-text search as the rag service runs it: rows holding every term first (Dify's full-text search
 * requires them all, and the GIN index finds them cheaply); when fewer than `topK`, the ORed terms among
 * rows holding a discriminating term (toDiscriminatingQuery); when still fewer, among rows holding any
 * term. The OR steps rank by the whole ORed query. `ranked(rank, match)` runs one search: rows matching
 * the tsquery `match`, ranked by `rank`, at most `topK`. `frequentTerms` is asked only when needed.
 */
export async function searchFullText<T>(
  query: string,
  topK: number,
  frequentTerms: () => Promise<ReadonlySet<string>>,
  ranked: (rank: string, match: string) => Promise<T[]>,
): Promise<{ hits: T[]; step: FullTextStep | null }> {
  const terms = queryTerms(query);
  const every = joinTerms(terms, 'all');
  const some = joinTerms(terms, 'any');
  if (every === null || some === null) return { hits: [], step: null };
  const strict = await ranked(every, every);
  if (strict.length >= topK || terms.length === 1) return { hits: strict, step: 'all' };
  const discriminating = discriminatingQuery(terms, await frequentTerms());
  if (discriminating !== null) {
    const narrowed = await ranked(some, discriminating);
    if (narrowed.length >= topK) return { hits: narrowed, step: 'discriminating' };
  }
  return { hits: await ranked(some, some), step: 'any' };
}
