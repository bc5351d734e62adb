import { RemoteError } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { ProviderCredentialsService, ProviderCredentialsUnavailableError } from './provider-credentials.service';

describe('ProviderCredentialsService', () => {
  it('asks the gateway once per workspace and provider while the cache is fresh, and shares lookups in flight', async () => {
    const asked: unknown[] = [];
    const bus = {
      request: async (subject: string, payload: { provider: string; workspaceId: string }) => {
        asked.push({ subject, ...payload });
        return { credentials: payload.provider === 'openai' ? { openai_api_key: `key-${payload.workspaceId}` } : null };
      },
    } as unknown as MessageBus;
    const service = new ProviderCredentialsService(bus);
    const [a, b] = await Promise.all([service.get('w1', 'openai'), service.get('w1', 'openai')]);
    expect(a).toEqual({ openai_api_key: 'key-w1' });
    expect(b).toBe(a);
    await expect(service.get('w2', 'openai')).resolves.toEqual({ openai_api_key: 'key-w2' });
    await expect(service.get('w1', 'anthropic')).resolves.toBeNull();
    await expect(service.get('w1', 'openai')).resolves.toEqual({ openai_api_key: 'key-w1' });
    expect(asked).toEqual([
      { subject: 'gateway.provider-credentials.v1', provider: 'openai', workspaceId: 'w1' },
      { subject: 'gateway.provider-credentials.v1', provider: 'openai', workspaceId: 'w2' },
      { subject: 'gateway.provider-credentials.v1', provider: 'anthropic', workspaceId: 'w1' },
    ]);
  });

  it('fails clearly when the gateway does not answer, and asks again next time', async () => {
    let up = false;
    const bus = {
      request: async () => {
        if (!up) throw new Error('request timed out');
        return { credentials: { openai_api_key: 'k' } };
      },
    } as unknown as MessageBus;
    const service = new ProviderCredentialsService(bus);
    const failure = service.get('w1', 'openai');
    await expect(failure).rejects.toBeInstanceOf(ProviderCredentialsUnavailableError);
    await expect(failure).rejects.toThrow(
      'Could not load the credentials of provider openai: the gateway did not answer (request timed out)',
    );
    up = true;
    await expect(service.get('w1', 'openai')).resolves.toEqual({ openai_api_key: 'k' });
  });

  it("passes on the gateway's refusal of credentials it cannot open for the workspace", async () => {
    const refusal = 'The stored credentials of provider openai cannot be opened for this workspace; an admin must save them again.';
    const bus = {
      request: async () => {
        throw new RemoteError(
          { code: 'provider_not_initialize', correlationId: 'c1', message: refusal },
          'gateway.provider-credentials.v1',
        );
      },
    } as unknown as MessageBus;
    await expect(new ProviderCredentialsService(bus).get('w1', 'openai')).rejects.toThrow(
      `Could not load the credentials of provider openai: ${refusal}`,
    );
  });
});
