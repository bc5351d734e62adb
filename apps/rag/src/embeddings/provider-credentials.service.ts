import { Injectable } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';
import { ProviderErrors } from './provider.exception';

const LOOKUP_TIMEOUT_MS = 5_000;

/** A workspace's stored credentials for a model provider, asked of the gateway (which owns them, encrypted). */
@Injectable()
export class ProviderCredentialsService {
  constructor(private readonly bus: MessageBus) {}

  /** The credentials, or `provider_not_initialize` when the workspace has none or the gateway does not answer. */
  async require(workspaceId: string, provider: string): Promise<Record<string, string>> {
    let credentials: Record<string, string> | null;
    try {
      ({ credentials } = await this.bus.request(
        'gateway.provider-credentials.v1',
        { provider, workspaceId },
        { timeoutMs: LOOKUP_TIMEOUT_MS },
      ));
    } catch (error) {
      throw ProviderErrors.credentialsUnreadable(provider, (error as Error).message);
    }
    if (!credentials) throw ProviderErrors.notConfigured(provider);
    return credentials;
  }
}
