import type { ServerResponse } from 'node:http';
import { createSsrfGuard, SsrfBlockedError } from '@weft/outbound-http';
import { RecordedRequest, startTestHttpServer, TestHttpServer } from '@weft/testing';
import { OpenAiChatService } from './openai-chat.service';
import { ProviderRequestError } from './provider.exception';
import { createChatProvider } from './provider-registry.util';
import type { ChatRequest, ProviderDeps } from './provider.types';

const API_KEY = 'sk-test-Zx81QwErTy55aa';
const guard = createSsrfGuard({ allowedHosts: ['127.0.0.1'] });

function sse(res: ServerResponse, events: unknown[], gapMs = 5): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  let i = 0;
  const next = (): void => {
    if (i < events.length) {
      const event = events[i++];
      res.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
      setTimeout(next, gapMs);
    } else {
      res.end();
    }
  };
  next();
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null): unknown => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

const request: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello' },
  ],
  params: { temperature: 0.2, max_tokens: 50, top_p: undefined },
};

describe('OpenAiChatService', () => {
  let server: TestHttpServer;
  const hits = new Map<string, number>();
  let waits: number[] = [];
  const deps = (over: Partial<ProviderDeps> = {}): ProviderDeps => ({
    guard,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5000 },
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...over,
  });
  const openai = (scenario: string, over: Partial<ProviderDeps> = {}) =>
    createChatProvider('langgenius/openai/openai', { openai_api_key: API_KEY, openai_api_base: `${server.url}/${scenario}` }, deps(over));
  const lastBody = (): Record<string, unknown> =>
    JSON.parse(server.requests[server.requests.length - 1].body.toString()) as Record<string, unknown>;

  beforeAll(async () => {
    server = await startTestHttpServer((req: RecordedRequest, res) => {
      const scenario = req.url.split('/')[1];
      const count = (hits.get(scenario) ?? 0) + 1;
      hits.set(scenario, count);
      const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
      };
      switch (scenario) {
        case 'plain':
        case 'json':
          json(200, {
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: scenario === 'json' ? '{"city":"Paris"}' : 'Hello there' },
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
          });
          return;
        case 'stream':
          sse(res, [
            chunk({ role: 'assistant', content: '' }),
            chunk({ reasoning_content: 'thinking...' }),
            chunk({ content: 'Hel' }),
            chunk({ content: 'lo' }),
            chunk({ content: ' world' }),
            chunk({}, 'stop'),
            { id: 'c1', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } },
            '[DONE]',
          ]);
          return;
        case 'tools':
          sse(res, [
            chunk({
              role: 'assistant',
              tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }],
            }),
            chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
            chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
            chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
            chunk({}, 'tool_calls'),
            '[DONE]',
          ]);
          return;
        case 'no-usage':
          // llama.cpp-style: no usage chunk, no [DONE].
          sse(res, [chunk({ content: 'one two three four' }), chunk({}, 'stop')]);
          return;
        case 'rate-limited':
          if (count === 1) json(429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'Retry-After': '1' });
          else
            json(200, {
              choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 1, completion_tokens: 1 },
            });
          return;
        case 'always-429':
          json(429, { error: { message: 'Slow down', type: 'requests' } });
          return;
        case 'quota':
          json(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } });
          return;
        case 'bad-key':
          json(401, {
            error: { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' },
          });
          return;
        case 'broken':
          json(500, { error: { message: 'The server had an error while processing your request.' } });
          return;
        case 'bad-request':
          json(400, { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error' } });
          return;
        case 'stream-error':
          sse(res, [chunk({ content: 'par' }), { error: { message: 'model crashed' } }]);
          return;
        default:
          json(404, { error: 'no such scenario' });
      }
    });
  });

  afterAll(() => server.close());

  beforeEach(() => {
    waits = [];
  });

  it('makes a blocking call with the bearer key, the params and no stream flag when no onDelta is given', async () => {
    const result = await openai('plain').chat(request);
    expect(result).toEqual({ text: 'Hello there', toolCalls: [], usage: { promptTokens: 12, completionTokens: 3 }, finishReason: 'stop' });
    const sent = server.requests[server.requests.length - 1];
    expect(sent.url).toBe('/plain/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(lastBody()).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      temperature: 0.2,
      max_tokens: 50,
    });
  });

  it('streams, calling onDelta per text chunk in order and taking usage from the final chunk', async () => {
    const deltas: string[] = [];
    const result = await openai('stream').chat(request, { onDelta: (t) => deltas.push(t) });
    expect(deltas).toEqual(['Hel', 'lo', ' world']);
    expect(result).toEqual({
      text: 'Hello world',
      reasoning: 'thinking...',
      toolCalls: [],
      usage: { promptTokens: 9, completionTokens: 3 },
      finishReason: 'stop',
    });
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('assembles streamed tool-call deltas by index and sends tool definitions', async () => {
    const result = await openai('tools').chat(
      {
        ...request,
        tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      },
      { onDelta: () => undefined },
    );
    expect(result.toolCalls).toEqual([
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_b', name: 'get_time', arguments: '{}' },
    ]);
    expect(result.finishReason).toBe('tool_calls');
    expect(lastBody().tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ]);
  });

  it('sends tool results and assistant tool calls in OpenAI message form', async () => {
    await openai('plain').chat({
      ...request,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: 'sunny', toolCallId: 'call_a' },
      ],
    });
    expect(lastBody().messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
    ]);
  });

  it('passes JSON response formats through', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const result = await openai('json').chat({ ...request, responseFormat: { type: 'json_schema', name: 'answer', schema } });
    expect(result.text).toBe('{"city":"Paris"}');
    expect(lastBody().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema } });
    await openai('json').chat({ ...request, responseFormat: { type: 'json_object' } });
    expect(lastBody().response_format).toEqual({ type: 'json_object' });
  });

  it('estimates usage when the server reports none', async () => {
    const result = await openai('no-usage').chat(request, { onDelta: () => undefined });
    expect(result.text).toBe('one two three four');
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBe(Math.ceil('one two three four'.length / 4));
  });

  it('retries a 429, waiting as long as Retry-After says', async () => {
    const result = await openai('rate-limited').chat(request);
    expect(result.text).toBe('ok');
    expect(hits.get('rate-limited')).toBe(2);
    expect(waits).toEqual([1000]);
  });

  it('gives up on repeated 429s with provider_quota_exceeded after the bounded attempts', async () => {
    const error = await openai('always-429')
      .chat(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toMatchObject({ status: 429, code: 'provider_quota_exceeded' });
    expect(hits.get('always-429')).toBe(3);
    expect(waits).toEqual([1, 2]);
  });

  it('does not retry insufficient_quota', async () => {
    const error = await openai('quota')
      .chat(request)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 'provider_quota_exceeded' });
    expect((error as Error).message).toContain('You exceeded your current quota');
    expect(hits.get('quota')).toBe(1);
  });

  it('maps 401 to provider_not_initialize at once and never shows the key', async () => {
    const error = await openai('bad-key')
      .chat(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toMatchObject({ status: 401, code: 'provider_not_initialize' });
    expect((error as Error).message).toContain('Incorrect API key provided');
    expect((error as Error).message).not.toContain(API_KEY);
    expect((error as Error).message).not.toContain('Zx81QwErTy55aa');
    expect(hits.get('bad-key')).toBe(1);
  });

  it('fails other 4xx at once with completion_request_error', async () => {
    const error = await openai('bad-request')
      .chat(request)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'completion_request_error' });
    expect((error as Error).message).toBe("[openai] Error code: 400 - Invalid value for 'temperature'");
    expect(hits.get('bad-request')).toBe(1);
  });

  it('fails after bounded retries when the server keeps answering 500', async () => {
    const error = await openai('broken', { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10 } })
      .chat(request)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, code: 'completion_request_error' });
    expect(hits.get('broken')).toBe(2);
  });

  it('reports an error event inside the stream', async () => {
    const error = await openai('stream-error')
      .chat(request, { onDelta: () => undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as Error).message).toContain('model crashed');
  });

  it('refuses a base URL at the metadata address before connecting', async () => {
    const provider = createChatProvider('openai', { openai_api_key: API_KEY, openai_api_base: 'http://169.254.169.254/latest' }, deps());
    const error = await provider.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as ProviderRequestError).cause).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toContain('169.254.169.254 (link-local)');
    expect(waits).toEqual([]);
  });

  it('works without an API key for local OpenAI-compatible servers', async () => {
    const provider = new OpenAiChatService({ provider: 'openai_api_compatible', baseUrl: `${server.url}/plain/v1/` }, deps());
    await expect(provider.chat(request)).resolves.toMatchObject({ text: 'Hello there' });
    expect(server.requests[server.requests.length - 1].headers.authorization).toBeUndefined();
  });
});
