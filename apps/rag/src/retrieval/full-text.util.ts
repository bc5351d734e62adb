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
  const terms = new Set<string>();
  for (const run of lexicalRuns(query)) {
    for (const term of run.characters ? characterPairs(run.text) : [run.text]) {
      if (terms.size < MAX_QUERY_TERMS) terms.add(term);
    }
  }
  if (terms.size === 0) return null;
  return [...terms].map((term) => `'${term}'`).join(match === 'all' ? ' & ' : ' | ');
}
