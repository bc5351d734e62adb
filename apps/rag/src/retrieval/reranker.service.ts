import { Injectable } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { shortProvider } from '../embeddings/embedding.service';

const RERANK_TIMEOUT_MS = 30_000;
const CREDENTIALS_TIMEOUT_MS = 5_000;

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
  constructor(private readonly bus: MessageBus) {}

  async rerank(workspaceId: string, providerName: string, model: string, query: string, candidates: RerankCandidate[]): Promise<{ id: string; score: number }[]> {
    if (candidates.length === 0) return [];
    const provider = shortProvider(providerName);
    const credentials = await this.credentials(workspaceId, provider);
    const base = provider === 'openai' ? credentials['openai_api_base'] : credentials['endpoint_url'];
    const key = provider === 'openai' ? credentials['openai_api_key'] : credentials['api_key'];
    if (!base) throw new DomainError('provider_not_initialize', `Provider ${provider} has no endpoint for reranking.`);
    const url = `${base.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/rerank`;
    let res: Response;
    try {
      res = await fetch(url, {
        body: JSON.stringify({ documents: candidates.map((c) => c.content), model, query, top_n: candidates.length }),
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        method: 'POST',
        signal: AbortSignal.timeout(RERANK_TIMEOUT_MS),
      });
    } catch (error) {
      throw new DomainError('completion_request_error', `[${provider}] Rerank request failed: ${(error as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new DomainError('completion_request_error', `[${provider}] Rerank request failed with status ${res.status}: ${text.slice(0, 300)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DomainError('completion_request_error', `[${provider}] Rerank response is not JSON`);
    }
    // Cohere/Jina: {results: [{index, relevance_score}]}; TEI: [{index, score}].
    const results = (Array.isArray(body) ? body : ((body as { results?: unknown[] }).results ?? [])) as { index?: number; relevance_score?: number; score?: number }[];
    const scored = results
      .filter((r) => typeof r.index === 'number' && r.index >= 0 && r.index < candidates.length)
      .map((r) => ({ id: candidates[r.index!]!.id, score: Number(r.relevance_score ?? r.score ?? 0) }));
    if (scored.length === 0) throw new DomainError('completion_request_error', `[${provider}] Rerank response has no results`);
    return scored.sort((a, b) => b.score - a.score);
  }

  private async credentials(workspaceId: string, provider: string): Promise<Record<string, string>> {
    let credentials: Record<string, string> | null;
    try {
      ({ credentials } = await this.bus.request('gateway.provider-credentials.v1', { provider, workspaceId }, { timeoutMs: CREDENTIALS_TIMEOUT_MS }));
    } catch (error) {
      throw new DomainError('provider_not_initialize', `Could not load the credentials of provider ${provider}: ${(error as Error).message}`);
    }
    if (!credentials) throw new DomainError('provider_not_initialize', `Provider ${provider} credentials are not configured for this workspace.`);
    return credentials;
  }
}
