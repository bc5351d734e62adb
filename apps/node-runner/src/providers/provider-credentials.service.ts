import { Injectable } from '@nestjs/common';
import { RemoteError } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import type { ProviderCredentials } from './provider-registry.util';

/** How long a workspace's credentials are reused before the gateway is asked again. */
export const CREDENTIALS_CACHE_TTL_MS = 10_000;
const LOOKUP_TIMEOUT_MS = 5_000;
const MAX_ENTRIES = 1_000;

/** The gateway did not answer a credentials lookup, or refused it: the node cannot call its provider. */
export class ProviderCredentialsUnavailableError extends Error {
  override readonly name = 'ProviderCredentialsUnavailableError';

  constructor(
    readonly provider: string,
    reason: string,
  ) {
    super(`Could not load the credentials of provider ${provider}: ${reason}`);
  }
}

interface CacheEntry {
  expiresAt: number;
  value: Promise<ProviderCredentials | null>;
}

/**
 * A workspace's model-provider credentials, asked of the gateway (which owns them, encrypted) and kept
 * for a few seconds so a burst of LLM nodes costs one lookup. Only successful answers are cached; a
 * lookup in flight is shared by the nodes that need it at the same time.
 */
@Injectable()
export class ProviderCredentialsService {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly bus: MessageBus) {}

  /** The stored credentials (null when the workspace has none for `provider`); throws ProviderCredentialsUnavailableError. */
  get(workspaceId: string, provider: string): Promise<ProviderCredentials | null> {
    const key = `${workspaceId}\u0000${provider}`;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = this.lookup(workspaceId, provider);
    if (this.cache.size >= MAX_ENTRIES) this.evictExpired(now);
    this.cache.set(key, { expiresAt: now + CREDENTIALS_CACHE_TTL_MS, value });
    value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
    });
    return value;
  }

  private async lookup(workspaceId: string, provider: string): Promise<ProviderCredentials | null> {
    try {
      const { credentials } = await this.bus.request(
        'gateway.provider-credentials.v1',
        { provider, workspaceId },
        { timeoutMs: LOOKUP_TIMEOUT_MS },
      );
      return credentials;
    } catch (error) {
      // The gateway answered with a refusal (credentials it cannot open for this workspace): say what it said.
      if (error instanceof RemoteError) throw new ProviderCredentialsUnavailableError(provider, error.message);
      throw new ProviderCredentialsUnavailableError(provider, `the gateway did not answer (${(error as Error).message})`);
    }
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
  }
}
