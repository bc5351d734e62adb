import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import type { SsrfGuard } from '@weft/outbound-http';
import { DatabaseService } from '@weft/persistence';
import { embeddingCacheKey, embeddingModelKey, type EmbeddingModelRef } from './embedding-cache-key.util';
import { createOfflineEmbedder, OFFLINE_EMBEDDING_MODEL, OFFLINE_EMBEDDING_PROVIDER } from './offline-embedder.util';
import { ProviderCredentialsService } from './provider-credentials.service';
import { postProviderJson, providerUrl } from './provider-http.util';
import { ProviderErrors } from './provider.exception';
import { toVectorLiteral } from './vector.util';

/** The embedding model of a dataset: the built-in offline one, or a provider's model by Dify's names. */
export interface EmbeddingModel {
  model: string;
  provider: string;
}

/** The SSRF guard provider calls go through (configured by PROVIDER_ALLOWED_HOSTS, not the workflows' SSRF_ALLOWED_HOSTS). */
export const PROVIDER_GUARD = Symbol('PROVIDER_GUARD');

/** The built-in offline model datasets use when they name none. */
export const DEFAULT_EMBEDDING_MODEL: EmbeddingModel = { model: OFFLINE_EMBEDDING_MODEL, provider: OFFLINE_EMBEDDING_PROVIDER };

const BATCH_SIZE = 64;
const offline = createOfflineEmbedder();

/** `langgenius/openai/openai` → `openai`. */
export function shortProvider(provider: string): string {
  return provider.split('/').pop()!.trim().toLowerCase();
}

/**
 * Embeds texts with a dataset's model. Every vector is cached in Postgres by model and content hash,
 * so re-indexing unchanged text (a redelivered ingestion job, an edited document) calls no provider.
 * The offline model needs no network; OpenAI and OpenAI-compatible servers (Ollama, vLLM, Text
 * Embeddings Inference) are called at `/embeddings` with the workspace's stored credentials.
 */
@Injectable()
export class EmbeddingService {
  constructor(
    private readonly db: DatabaseService,
    private readonly credentials: ProviderCredentialsService,
    @Inject(PROVIDER_GUARD) private readonly guard: SsrfGuard,
  ) {}

  async embed(workspaceId: string, model: EmbeddingModel, texts: readonly string[]): Promise<number[][]> {
    if (isOffline(model)) return offline.embedMany(texts);
    const ref: EmbeddingModelRef = { model: model.model, provider: shortProvider(model.provider) };
    const keys = texts.map((t) => embeddingCacheKey(ref, t).key);
    const cached = await this.cached([...new Set(keys)]);
    const missing = [...new Set(keys.filter((k) => !cached.has(k)))];
    if (missing.length > 0) {
      const textOf = new Map(keys.map((k, i) => [k, texts[i]!]));
      const credentials = await this.credentials.require(workspaceId, ref.provider);
      for (let i = 0; i < missing.length; i += BATCH_SIZE) {
        const batch = missing.slice(i, i + BATCH_SIZE);
        const vectors = await callEmbeddings(
          this.guard,
          ref.provider,
          model.model,
          credentials,
          batch.map((k) => textOf.get(k)!),
        );
        batch.forEach((k, j) => cached.set(k, vectors[j]!));
        await this.store(batch.map((k, j) => [k, vectors[j]!]));
      }
    }
    return keys.map((k) => cached.get(k)!);
  }

  /** A model's identity for storage: which vectors are comparable. */
  modelKey(model: EmbeddingModel): string {
    return isOffline(model)
      ? embeddingModelKey({ dimension: offline.dimension, model: offline.model, provider: offline.provider })
      : embeddingModelKey({ model: model.model, provider: shortProvider(model.provider) });
  }

  private async cached(keys: string[]): Promise<Map<string, number[]>> {
    if (keys.length === 0) return new Map();
    const rows: { embedding: string; key: string }[] = await this.db.dataSource.query(
      `SELECT key, embedding::text AS embedding FROM rag.embedding_cache WHERE key = ANY($1)`,
      [keys],
    );
    return new Map(rows.map((r) => [r.key, JSON.parse(r.embedding) as number[]]));
  }

  private async store(entries: [string, number[]][]): Promise<void> {
    await this.db.dataSource.query(
      `INSERT INTO rag.embedding_cache (key, embedding) SELECT t.key, t.embedding::vector FROM jsonb_to_recordset($1::jsonb) AS t(key text, embedding text) ON CONFLICT (key) DO NOTHING`,
      [JSON.stringify(entries.map(([key, v]) => ({ embedding: toVectorLiteral(v), key })))],
    );
  }
}

function isOffline(model: EmbeddingModel): boolean {
  return shortProvider(model.provider) === OFFLINE_EMBEDDING_PROVIDER;
}

/** OpenAI's `/embeddings` (also spoken by Ollama, vLLM, TEI and LiteLLM). */
async function callEmbeddings(
  guard: SsrfGuard,
  provider: string,
  model: string,
  credentials: Record<string, string>,
  input: string[],
): Promise<number[][]> {
  let base: string;
  let key: string | undefined;
  if (provider === 'openai') {
    base = credentials['openai_api_base'] || 'https://api.openai.com';
    key = credentials['openai_api_key'];
  } else if (provider === 'openai_api_compatible') {
    base = credentials['endpoint_url'] ?? '';
    key = credentials['api_key'];
  } else {
    throw ProviderErrors.noEmbeddingModels(provider);
  }
  const body = (await postProviderJson(guard, provider, 'Embedding', providerUrl(base, 'embeddings'), key, { input, model })) as {
    data?: { embedding?: unknown; index?: number }[];
  };
  const data = [...(body.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (data.length !== input.length || !data.every((d) => Array.isArray(d.embedding) && d.embedding.every((n) => typeof n === 'number'))) {
    throw new DomainError(
      'completion_request_error',
      `[${provider}] Embedding response has ${data.length} vectors for ${input.length} inputs`,
    );
  }
  return data.map((d) => d.embedding as number[]);
}
