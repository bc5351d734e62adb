import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModelMetrics } from '@weft/metrics';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../node-runner.config';
import { createSsrfGuard, parseAllowedHosts } from '@weft/outbound-http';
import { DEFAULT_PRICE_TABLE } from './default-prices.util';
import { MOCK_PROVIDER_NAME } from './mock-chat.service';
import { ProviderNotInitializedError } from './provider.exception';
import { ProviderCredentialsService } from './provider-credentials.service';
import type { ChatTelemetry } from './chat-telemetry.util';
import { SUPPORTED_PROVIDERS, createChatProvider, resolveProviderName } from './provider-registry.util';
import type { ChatProvider, ProviderDeps } from './provider.types';
import type { PriceTable } from './usage.util';

/** Where executors get a ready client for a node's model provider. */
export interface ChatProviderSource {
  /** The client for `dslProvider` in this workspace; throws ProviderNotInitializedError or ProviderCredentialsUnavailableError. */
  forProvider(workspaceId: string, dslProvider: string): Promise<ChatProvider>;
  /** Prices for usage: the built-in example list overridden by MODEL_PRICE_TABLE. */
  readonly prices?: PriceTable;
  /** Metrics and content capture for model call spans; none in tests that do not ask. */
  readonly telemetry?: ChatTelemetry;
}

/**
 * Builds provider clients with the workspace's credentials. Provider base URLs go through the same SSRF
 * guard as http-request nodes, so a workspace cannot point "its" OpenAI at an internal address.
 */
@Injectable()
export class ChatProviderService implements ChatProviderSource {
  private readonly deps: ProviderDeps;
  readonly prices: PriceTable;
  readonly telemetry: ChatTelemetry;

  constructor(
    @Inject(NODE_RUNNER_CONFIG) config: NodeRunnerConfig,
    private readonly credentials: ProviderCredentialsService,
    @Optional() metrics?: ModelMetrics,
  ) {
    this.prices = mergePrices(DEFAULT_PRICE_TABLE, config.models.priceTable);
    this.telemetry = { captureContent: config.models.captureMessageContent, ...(metrics ? { metrics } : {}) };
    this.deps = {
      // Provider base URLs have their own, operator-set allow-list: a local model server listed there is not
      // opened to every workspace's http-request nodes (those use SSRF_ALLOWED_HOSTS).
      guard: createSsrfGuard({ allowedHosts: parseAllowedHosts(config.providers.allowedHosts), setting: 'PROVIDER_ALLOWED_HOSTS' }),
      maxResponseBytes: config.httpRequest.maxResponseBytes,
    };
  }

  async forProvider(workspaceId: string, dslProvider: string): Promise<ChatProvider> {
    const name = resolveProviderName(dslProvider);
    if (!(SUPPORTED_PROVIDERS as readonly string[]).includes(name)) {
      throw new ProviderNotInitializedError(name, `Provider ${name} does not exist.`);
    }
    // The mock needs no credentials, so it works before the gateway has any stored.
    const credentials = name === MOCK_PROVIDER_NAME ? undefined : ((await this.credentials.get(workspaceId, name)) ?? undefined);
    return createChatProvider(name, credentials, this.deps);
  }
}

/** The default table with configured prices laid over it, model by model. */
export function mergePrices(base: PriceTable, overrides: PriceTable): PriceTable {
  const merged: PriceTable = { ...base };
  for (const [provider, models] of Object.entries(overrides)) merged[provider] = { ...merged[provider], ...models };
  return merged;
}
