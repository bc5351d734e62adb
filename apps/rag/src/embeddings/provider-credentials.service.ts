import { Injectable } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';

const LOOKUP_TIMEOUT_MS = 5_000;

/** A workspace's stored credentials for a model provider, asked of the gateway (which owns them, encrypted). */
@Injectable()
export class ProviderCredentialsService {
  constructor(private readonly bus: MessageBus) {}

  /** The credentials, or `provider_not_initialize` when the workspace has none or the gateway does not answer. */
  async require(workspaceId: string, provider: string): Promise<Record<string, string>> {
    let credentials: Record<string, string> | null;
    try {
      ({ credentials } = await this.bus.request('gateway.provider-credentials.v1', { provider, workspaceId }, { timeoutMs: LOOKUP_TIMEOUT_MS }));
    } catch (error) {
      throw new DomainError('provider_not_initialize', `Could not load the credentials of provider ${provider}: ${(error as Error).message}`);
    }
    if (!credentials) throw new DomainError('provider_not_initialize', `Provider ${provider} credentials are not configured for this workspace.`);
    return credentials;
  }
}
