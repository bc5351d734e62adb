import { contentHash } from '../ingestion/content-hash.util';

/**
 * Which model made a vector. Two refs give the same key exactly when their vectors are interchangeable:
 * for an OpenAI-compatible server that serves a model name of its own, put the server in `provider`
 * (for example `openai_api_compatible:ollama.internal:11434`), since the same name elsewhere may differ.
 */
export interface EmbeddingModelRef {
  /** Set when the model can produce several lengths (OpenAI `dimensions`, the offline embedder). */
  dimension?: number | null;
  model: string;
  provider: string;
}

/** An embedding cache key and its two halves, for a store keyed by (model, content). */
export interface EmbeddingCacheKey {
  /** sha256 hex of the exact text embedded. */
  contentHash: string;
  /** `<modelKey>:<contentHash>`; the hash is fixed-length hex, so the key splits unambiguously at its last ':'. */
  key: string;
  /** `<provider>/<model>` or `<provider>/<model>@<dimension>`. */
  modelKey: string;
}

// Printable, no whitespace: a key is a single token in logs, Redis and Postgres alike.
const NAME = /^[^\s\p{Cc}]{1,200}$/u;

/** The model half of an embedding cache key; throws on an empty or unprintable name or a bad dimension. */
export function embeddingModelKey(ref: EmbeddingModelRef): string {
  if (!NAME.test(ref.provider)) throw new RangeError(`Invalid embedding provider name: ${JSON.stringify(ref.provider)}`);
  if (!NAME.test(ref.model)) throw new RangeError(`Invalid embedding model name: ${JSON.stringify(ref.model)}`);
  const base = `${ref.provider}/${ref.model}`;
  if (ref.dimension === undefined || ref.dimension === null) return base;
  if (!Number.isInteger(ref.dimension) || ref.dimension < 1) throw new RangeError(`Invalid embedding dimension: ${String(ref.dimension)}`);
  return `${base}@${ref.dimension}`;
}

/**
 * The cache key of a text's embedding under a model. The text is hashed exactly as sent to the model
 * (no trimming or normalization): a provider may embed " a" and "a" differently.
 */
export function embeddingCacheKey(ref: EmbeddingModelRef, text: string): EmbeddingCacheKey {
  const modelKey = embeddingModelKey(ref);
  const hash = contentHash(text);
  return { contentHash: hash, key: `${modelKey}:${hash}`, modelKey };
}
