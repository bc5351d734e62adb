import { DomainError } from '@weft/contracts';

// A provider that is not set up for what is asked. Failures of a call to a provider (`[provider] ... request
// failed ...`) are written where the call is made, because they carry the provider's own answer.

/** The errors of a model provider the workspace has not set up for embeddings or reranking. */
export const ProviderErrors = {
  credentialsUnreadable: (provider: string, reason: string) =>
    new DomainError('provider_not_initialize', `Could not load the credentials of provider ${provider}: ${reason}`),
  noEmbeddingModels: (provider: string) =>
    new DomainError(
      'provider_not_initialize',
      `Provider ${provider} has no embedding models in Weft; use openai, openai_api_compatible or the built-in weft model.`,
    ),
  noRerankEndpoint: (provider: string) => new DomainError('provider_not_initialize', `Provider ${provider} has no endpoint for reranking.`),
  notConfigured: (provider: string) =>
    new DomainError('provider_not_initialize', `Provider ${provider} credentials are not configured for this workspace.`),
} as const;
