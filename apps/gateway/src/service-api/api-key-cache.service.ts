import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MessageBus } from '@weft/messaging';

/** How long a key lookup is trusted when the revocation broadcast is missed (NATS down): revocation still takes effect within this time. */
const CACHE_TTL_MS = 5000;
const CACHE_MAX = 10_000;

/**
 * The Service API keys this replica has looked up recently (app and dataset keys, and misses), so a busy
 * key costs no query per call. Revoking a key broadcasts `gateway.api-key.revoked.v1`; every replica drops
 * the key at once, and at the latest when its entry expires.
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, { expires: number; keyId: string | null; value: unknown }>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly bus: MessageBus) {}

  onModuleInit(): void {
    void this.bus
      .start()
      .then(() => {
        this.unsubscribe = this.bus.listen('gateway.api-key.revoked.v1', null, ({ keyId }) => this.forget(keyId));
      })
      .catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The cached lookup of `token`, computing it on a miss; `keyIdOf` names the key a found value belongs to. */
  async lookup<T>(token: string, find: () => Promise<T | null>, keyIdOf: (value: T) => string): Promise<T | null> {
    const hit = this.entries.get(token);
    if (hit && hit.expires > Date.now()) return hit.value as T | null;
    const value = await find();
    if (this.entries.size >= CACHE_MAX) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { expires: Date.now() + CACHE_TTL_MS, keyId: value ? keyIdOf(value) : null, value });
    return value;
  }

  /** Tells every replica (this one included) that a key no longer works. */
  announceRevoked(keyId: string): void {
    this.forget(keyId);
    try {
      this.bus.publish('gateway.api-key.revoked.v1', null, { keyId });
    } catch {
      // NATS is down: the other replicas' entries expire within CACHE_TTL_MS.
    }
  }

  private forget(keyId: string): void {
    for (const [token, entry] of this.entries) if (entry.keyId === keyId) this.entries.delete(token);
  }
}
