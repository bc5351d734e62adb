import { isCharacterScript, lexicalRuns, normalizeLexicalText } from './lexical-tokens.util';
import { normalizeInPlace } from './vector.util';

// The built-in embedder that needs no network and no model file. It is lexical, not semantic: two
// texts come out close when they share words, word pairs and spellings, never because they mean the
// same thing in other words ("car" and "automobile" are unrelated to it). It exists so a dataset can
// be indexed and searched with zero configuration, deterministically, on any machine.
//
// How a text becomes a vector:
// 1. NFKC normalization and lower case, so full-width letters, ligatures and case do not matter.
// 2. Tokens: runs of letters, digits and marks; scripts written without spaces (Han, kana, Thai, Lao,
//    Khmer, Myanmar) give one token per character, so CJK text gets character unigrams and bigrams.
// 3. Three feature families: word unigrams, word bigrams (adjacent tokens) and character trigrams of
//    each word padded with "<" and ">" (morphology: "retrieve" and "retrieval" share most of them).
// 4. Each feature weighs (1 + ln tf) times an IDF stand-in that needs no corpus: ln(1 + length) for
//    unigrams and ln(1 + both lengths) for bigrams, because short tokens ("a", "of", "的") are the
//    frequent ones in every language; trigrams weigh 1. A corpus IDF can replace the stand-in.
// 5. Feature hashing: each feature lands in one of `dimension` buckets with a sign, both from a hash,
//    so colliding features cancel out on average instead of adding up.
// 6. Each family's vector is scaled to unit length and the families are mixed with fixed weights
//    (FAMILY_WEIGHTS), then the whole vector is L2-normalized: the cosine of two embeddings is about
//    the weighted sum of the three families' cosines.
//
// Dimension: 512 by default. Hash collisions add noise of about 1/sqrt(dimension) to the cosine of
// unrelated texts (0.044 at 512, 0.031 at 1024); 512 keeps that well below the similarity of texts
// that share a few words, stores 2 KB per segment as pgvector `vector(512)`, and keeps HNSW distance
// computations cheap enough for the latency target. pgvector indexes `vector` up to 2000 dimensions
// (the rag service indexes a half-precision copy, `halfvec`, which goes to 4000).

/** Provider name under which the offline embedder's vectors are stored and cached. */
export const OFFLINE_EMBEDDING_PROVIDER = 'weft';
/** Model name of the offline embedder; the version changes whenever the vectors it makes would. */
export const OFFLINE_EMBEDDING_MODEL = 'offline-lexical-v1';
/** Dimension used when none is configured. */
export const OFFLINE_EMBEDDING_DEFAULT_DIMENSION = 512;
/** Largest dimension pgvector can index (HNSW or IVFFlat on `vector`). */
export const OFFLINE_EMBEDDING_MAX_DIMENSION = 2000;
/** Smallest dimension accepted; below this collisions drown the signal. */
export const OFFLINE_EMBEDDING_MIN_DIMENSION = 64;

/** Share of the squared norm each feature family contributes before the final normalization. */
const FAMILY_WEIGHTS = { bigrams: 0.2, trigrams: 0.35, words: 0.45 } as const;
type Family = keyof typeof FAMILY_WEIGHTS;
const FAMILY_PREFIX: Record<Family, string> = { bigrams: 'b\u0001', trigrams: 't\u0001', words: 'w\u0001' };
// The feature an empty text gets, so it embeds to a unit vector rather than zeros (pgvector's cosine
// distance to a zero vector is NaN).
const EMPTY_FEATURE = '\u0000empty';
// Words longer than this (hashes, base64, URLs without separators) give trigrams from their first part only.
const MAX_TRIGRAM_WORD_LENGTH = 64;

/** Per-family term frequencies of a text, keyed by the feature (a token, `"a b"` for a bigram, or a trigram). */
export interface LexicalFeatures {
  bigrams: Map<string, number>;
  trigrams: Map<string, number>;
  words: Map<string, number>;
}

/** Options of the offline embedder. */
export interface OfflineEmbedderOptions {
  /** Vector length, 64 to 2000; default 512. */
  dimension?: number;
  /**
   * An IDF from corpus statistics for a unigram or bigram feature, replacing the length-based stand-in;
   * `undefined` keeps the stand-in for that feature. Changing it changes the vectors: re-embed, and
   * key the embedding cache with a model name that says which statistics were used.
   */
  inverseDocumentFrequency?: (feature: string, family: 'words' | 'bigrams') => number | undefined;
}

/** An embedder as the ingestion and retrieval code use it. */
export interface OfflineEmbedder {
  readonly dimension: number;
  embed(text: string): number[];
  embedMany(texts: readonly string[]): number[][];
  readonly model: string;
  readonly provider: string;
}

/** The text as the embedder sees it: NFKC-normalized and lower-cased. */
export function normalizeForEmbedding(text: string): string {
  return normalizeLexicalText(text);
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function addTrigrams(map: Map<string, number>, word: string): void {
  if (!/[\uD800-\uDFFF]/.test(word)) {
    const padded = `<${word.slice(0, MAX_TRIGRAM_WORD_LENGTH)}>`;
    for (let i = 0; i + 3 <= padded.length; i += 1) increment(map, padded.slice(i, i + 3));
    return;
  }
  // Astral characters (emoji, rare CJK) are two code units: cut by code point.
  const padded = ['<', ...Array.from(word).slice(0, MAX_TRIGRAM_WORD_LENGTH), '>'];
  for (let i = 0; i + 3 <= padded.length; i += 1) increment(map, padded.slice(i, i + 3).join(''));
}

/** The word, bigram and character-trigram frequencies the embedder hashes, after normalization. */
export function extractLexicalFeatures(text: string): LexicalFeatures {
  const features: LexicalFeatures = { bigrams: new Map(), trigrams: new Map(), words: new Map() };
  const tokens: string[] = [];
  for (const run of lexicalRuns(text)) {
    if (run.characters) tokens.push(...run.text);
    else tokens.push(run.text);
    addTrigrams(features.trigrams, run.text);
  }
  for (let i = 0; i < tokens.length; i += 1) {
    increment(features.words, tokens[i]);
    if (i + 1 < tokens.length) increment(features.bigrams, `${tokens[i]} ${tokens[i + 1]}`);
  }
  return features;
}

// FNV-1a over UTF-16 code units, then MurmurHash3's finalizer so every output bit depends on every input bit.
function hashFeature(feature: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < feature.length; i += 1) {
    hash ^= feature.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function lengthWeight(feature: string, family: Family): number {
  if (family === 'trigrams') return 1;
  let length = 0;
  for (const char of feature) {
    if (char === ' ') continue;
    // A character of a script without spaces carries about what a short word does.
    length += isCharacterScript(char) ? 2 : 1;
  }
  return Math.log(1 + length);
}

function assertDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < OFFLINE_EMBEDDING_MIN_DIMENSION || dimension > OFFLINE_EMBEDDING_MAX_DIMENSION) {
    throw new RangeError(
      `Offline embedding dimension must be an integer from ${OFFLINE_EMBEDDING_MIN_DIMENSION} to ${OFFLINE_EMBEDDING_MAX_DIMENSION}, got ${String(dimension)}`,
    );
  }
}

/** Embeds one text with the offline lexical embedder: a unit vector of `dimension` numbers, the same for the same text. */
export function embedOffline(text: string, options: OfflineEmbedderOptions = {}): number[] {
  const dimension = options.dimension ?? OFFLINE_EMBEDDING_DEFAULT_DIMENSION;
  assertDimension(dimension);
  const features = extractLexicalFeatures(text);
  if (features.words.size === 0) features.words.set(EMPTY_FEATURE, 1);
  const vector = new Float64Array(dimension);
  const family = new Float64Array(dimension);
  for (const name of Object.keys(FAMILY_WEIGHTS) as Family[]) {
    const counts = features[name];
    if (counts.size === 0) continue;
    family.fill(0);
    for (const [feature, tf] of counts) {
      const corpusIdf = name === 'trigrams' ? undefined : options.inverseDocumentFrequency?.(feature, name);
      const idf = corpusIdf !== undefined && Number.isFinite(corpusIdf) && corpusIdf >= 0 ? corpusIdf : lengthWeight(feature, name);
      const hash = hashFeature(FAMILY_PREFIX[name] + feature);
      const sign = hash & 0x80000000 ? -1 : 1;
      family[hash % dimension] += sign * (1 + Math.log(tf)) * idf;
    }
    normalizeInPlace(family);
    const share = Math.sqrt(FAMILY_WEIGHTS[name]);
    for (let i = 0; i < dimension; i += 1) vector[i] += share * family[i];
  }
  normalizeInPlace(vector);
  if (vector.every((value) => value === 0)) {
    // Every weight was zero (a corpus IDF of 0 for every feature): fall back to the empty-text vector.
    return embedOffline('', { dimension });
  }
  return Array.from(vector);
}

/** The offline embedder bound to its options, with the provider and model names its vectors are stored under. */
export function createOfflineEmbedder(options: OfflineEmbedderOptions = {}): OfflineEmbedder {
  const dimension = options.dimension ?? OFFLINE_EMBEDDING_DEFAULT_DIMENSION;
  assertDimension(dimension);
  return {
    dimension,
    embed: (text) => embedOffline(text, { ...options, dimension }),
    embedMany: (texts) => texts.map((text) => embedOffline(text, { ...options, dimension })),
    model: OFFLINE_EMBEDDING_MODEL,
    provider: OFFLINE_EMBEDDING_PROVIDER,
  };
}
