import { ANTHROPIC_DEFAULT_BASE_URL, AnthropicMessagesService } from './anthropic-messages.service';
import { MOCK_PROVIDER_NAME, MockChatService } from './mock-chat.service';
import { OPENAI_DEFAULT_BASE_URL, OpenAiChatService } from './openai-chat.service';
import { ProviderNotInitializedError } from './provider.exception';
import type { ChatProvider, ProviderDeps } from './provider.types';

/** Provider names this service can run. */
export const SUPPORTED_PROVIDERS = ['openai', 'anthropic', 'openai_api_compatible', MOCK_PROVIDER_NAME] as const;
export type SupportedProvider = (typeof SUPPORTED_PROVIDERS)[number];

/** Credentials as Dify stores them per provider (its field names); unknown fields are ignored. */
export type ProviderCredentials = Record<string, string | undefined>;

/**
 * Maps a DSL provider id to its short name: plugin ids `<org>/<plugin>/<provider>` (e.g.
 * `langgenius/openai/openai`) become the last segment; short names come back unchanged.
 */
export function resolveProviderName(dslProvider: string): string {
  const trimmed = dslProvider.trim();
  const segments = trimmed.split('/');
  return segments.length === 3 && segments[2] ? segments[2] : trimmed;
}

/**
 * Builds the client for a provider (DSL id or short name). Credential fields follow Dify:
 * openai `{openai_api_key, openai_api_base?}` (base without /v1, as Dify's form takes it);
 * anthropic `{anthropic_api_key, anthropic_api_url?}`; openai_api_compatible `{endpoint_url, api_key?}`
 * (endpoint including /v1) or the openai fields. weft-mock needs none.
 */
export function createChatProvider(name: string, credentials: ProviderCredentials | undefined, deps: ProviderDeps): ChatProvider {
  const provider = resolveProviderName(name);
  const creds = credentials ?? {};
  switch (provider) {
    case MOCK_PROVIDER_NAME:
      return new MockChatService();
    case 'openai': {
      const apiKey = creds.openai_api_key?.trim();
      if (!apiKey) throw notInitialized(provider);
      const base = creds.openai_api_base?.trim().replace(/\/+$/, '');
      return new OpenAiChatService(
        { provider, apiKey, baseUrl: base ? (base.endsWith('/v1') ? base : `${base}/v1`) : OPENAI_DEFAULT_BASE_URL },
        deps,
      );
    }
    case 'anthropic': {
      const apiKey = creds.anthropic_api_key?.trim();
      if (!apiKey) throw notInitialized(provider);
      return new AnthropicMessagesService({ apiKey, baseUrl: creds.anthropic_api_url?.trim() || ANTHROPIC_DEFAULT_BASE_URL }, deps);
    }
    case 'openai_api_compatible': {
      const baseUrl = (creds.endpoint_url ?? creds.openai_api_base)?.trim();
      if (!baseUrl) throw notInitialized(provider);
      const apiKey = (creds.api_key ?? creds.openai_api_key)?.trim() || undefined;
      return new OpenAiChatService({ provider, apiKey, baseUrl }, deps);
    }
    default:
      throw new ProviderNotInitializedError(provider, `Provider ${provider} does not exist.`);
  }
}

function notInitialized(provider: string): ProviderNotInitializedError {
  return new ProviderNotInitializedError(provider, `Provider ${provider} credentials not initialized.`);
}
