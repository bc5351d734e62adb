import { createSsrfGuard } from '@weft/outbound-http';
import { AnthropicMessagesService } from './anthropic-messages.service';
import { MockChatService } from './mock-chat.service';
import { OpenAiChatService } from './openai-chat.service';
import { ProviderNotInitializedError } from './provider.exception';
import { createChatProvider, resolveProviderName } from './provider-registry.util';

const deps = { guard: createSsrfGuard({ allowedHosts: [] }) };

describe('resolveProviderName', () => {
  it.each([
    ['langgenius/openai/openai', 'openai'],
    ['langgenius/anthropic/anthropic', 'anthropic'],
    ['langgenius/openai_api_compatible/openai_api_compatible', 'openai_api_compatible'],
    ['langgenius/weft-mock/weft-mock', 'weft-mock'],
    ['weft-mock', 'weft-mock'],
    ['openai', 'openai'],
    [' anthropic ', 'anthropic'],
  ])('%s → %s', (input, expected) => {
    expect(resolveProviderName(input)).toBe(expected);
  });
});

describe('createChatProvider', () => {
  it('needs no credentials for weft-mock', () => {
    expect(createChatProvider('weft-mock', undefined, deps)).toBeInstanceOf(MockChatService);
    expect(createChatProvider('langgenius/weft-mock/weft-mock', undefined, deps)).toBeInstanceOf(MockChatService);
  });

  it('builds the HTTP clients from Dify credential fields', () => {
    expect(createChatProvider('langgenius/openai/openai', { openai_api_key: 'sk-x' }, deps)).toBeInstanceOf(OpenAiChatService);
    expect(createChatProvider('anthropic', { anthropic_api_key: 'k' }, deps)).toBeInstanceOf(AnthropicMessagesService);
    expect(createChatProvider('openai_api_compatible', { endpoint_url: 'http://vllm:8000/v1' }, deps)).toBeInstanceOf(OpenAiChatService);
  });

  it('throws provider_not_initialize when credentials are missing', () => {
    const error = (() => {
      try {
        createChatProvider('langgenius/openai/openai', undefined, deps);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ProviderNotInitializedError);
    expect(error).toMatchObject({ code: 'provider_not_initialize', message: 'Provider openai credentials not initialized.' });
    expect(() => createChatProvider('anthropic', { anthropic_api_key: '  ' }, deps)).toThrow(
      'Provider anthropic credentials not initialized.',
    );
    expect(() => createChatProvider('openai_api_compatible', {}, deps)).toThrow(ProviderNotInitializedError);
  });

  it('throws for an unknown provider', () => {
    expect(() => createChatProvider('langgenius/gemini/google', { key: 'x' }, deps)).toThrow('Provider google does not exist.');
  });
});
