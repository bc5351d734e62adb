import { Inject, Injectable } from '@nestjs/common';
import { NODE_RUNNER_CONFIG, type NodeRunnerConfig } from '../node-runner.config';
import { createSsrfGuard, parseAllowedHosts } from '../http/ssrf-guard.util';
import { MOCK_PROVIDER_NAME } from './mock-chat.service';
import { ProviderNotInitializedError } from './provider.exception';
import { ProviderCredentialsService } from './provider-credentials.service';
import { SUPPORTED_PROVIDERS, createChatProvider, resolveProviderName } from './provider-registry.util';
import type { ChatProvider, ProviderDeps } from './provider.types';

/** Where executors get a ready client for a node's model provider. */
export interface ChatProviderSource {
  /** The client for `dslProvider` in this workspace; throws ProviderNotInitializedError or ProviderCredentialsUnavailableError. */
  forProvider(workspaceId: string, dslProvider: string): Promise<ChatProvider>;
}

/**
 * Builds provider clients with the workspace's credentials. Provider base URLs go through the same SSRF
 * guard as http-request nodes, so a workspace cannot point "its" OpenAI at an internal address.
 */
@Injectable()
export class ChatProviderService implements ChatProviderSource {
  private readonly deps: ProviderDeps;

  constructor(
    @Inject(NODE_RUNNER_CONFIG) config: NodeRunnerConfig,
    private readonly credentials: ProviderCredentialsService,
  ) {
    this.deps = {
      guard: createSsrfGuard({ allowedHosts: parseAllowedHosts(config.httpRequest.ssrfAllowedHosts) }),
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
