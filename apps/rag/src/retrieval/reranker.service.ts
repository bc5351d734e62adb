import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import type { SsrfGuard } from '@weft/outbound-http';
import { PROVIDER_GUARD, shortProvider } from '../embeddings/embedding.service';
import { ProviderCredentialsService } from '../embeddings/provider-credentials.service';
import { postProviderJson, providerUrl } from '../embeddings/provider-http.util';
import { ProviderErrors } from '../embeddings/provider.exception';

/** A candidate to rerank: its id and its text. */
export interface RerankCandidate {
  content: string;
  id: string;
}

/**
 * Reorders candidates with a rerank model behind an OpenAI-compatible server's `/v1/rerank` (the
 * Cohere/Jina request shape that Text Embeddings Inference, vLLM, Xinference and LiteLLM speak), with
 * the workspace's `openai_api_compatible` (or `openai`) credentials. Scores are the model's relevance.
 */
@Injectable()
export class RerankerService {
  constructor(
    private readonly credentials: ProviderCredentialsService,
    @Inject(PROVIDER_GUARD) private readonly guard: SsrfGuard,
  ) {}

  async rerank(
    workspaceId: string,
    providerName: string,
    model: string,
    query: string,
    candidates: RerankCandidate[],
  ): Promise<{ id: string; score: number }[]> {
    if (candidates.length === 0) return [];
    const provider = shortProvider(providerName);
    const credentials = await this.credentials.require(workspaceId, provider);
    const base = provider === 'openai' ? credentials['openai_api_base'] : credentials['endpoint_url'];
    const key = provider === 'openai' ? credentials['openai_api_key'] : credentials['api_key'];
    if (!base) throw ProviderErrors.noRerankEndpoint(provider);
    const body = await postProviderJson(this.guard, provider, 'Rerank', providerUrl(base, 'rerank'), key, {
      documents: candidates.map((c) => c.content),
      model,
      query,
      top_n: candidates.length,
    });
    // Cohere/Jina: {results: [{index, relevance_score}]}; TEI: [{index, score}].
    const results = (Array.isArray(body) ? body : ((body as { results?: unknown[] }).results ?? [])) as {
      index?: number;
      relevance_score?: number;
      score?: number;
    }[];
    const scored = results
      .filter((r) => typeof r.index === 'number' && r.index >= 0 && r.index < candidates.length)
      .map((r) => ({ id: candidates[r.index!]!.id, score: Number(r.relevance_score ?? r.score ?? 0) }));
    if (scored.length === 0) throw new DomainError('completion_request_error', `[${provider}] Rerank response has no results`);
    return scored.sort((a, b) => b.score - a.score);
  }
}
