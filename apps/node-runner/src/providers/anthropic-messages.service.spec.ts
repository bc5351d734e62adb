import type { ServerResponse } from 'node:http';
import { createSsrfGuard, SsrfBlockedError } from '@weft/outbound-http';
import { startTestHttpServer, TestHttpServer } from '@weft/testing';
import { ProviderRequestError } from './provider.exception';
import { createChatProvider } from './provider-registry.util';
import type { ChatRequest, ProviderDeps } from './provider.types';

const API_KEY = 'sk-ant-api03-Secret9xYz';
const guard = createSsrfGuard({ allowedHosts: ['127.0.0.1'] });

function sse(res: ServerResponse, events: Record<string, unknown>[]): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  let i = 0;
  const next = (): void => {
    if (i >= events.length) {
      res.end();
      return;
    }
    const event = events[i++];
    res.write(`event: ${String(event.type)}\r\ndata: ${JSON.stringify(event)}\r\n\r\n`);
    setTimeout(next, 5);
  };
  next();
}

const request: ChatRequest = {
  model: 'claude-3-5-haiku-latest',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello' },
  ],
  params: { temperature: 0.3, stop: ['END'], presence_penalty: 0.5 },
};

describe('AnthropicMessagesService', () => {
  let server: TestHttpServer;
  const hits = new Map<string, number>();
  let waits: number[] = [];
  const deps: ProviderDeps = {
    guard,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5000 },
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  const anthropic = (scenario: string) =>
    createChatProvider(
      'langgenius/anthropic/anthropic',
      { anthropic_api_key: API_KEY, anthropic_api_url: `${server.url}/${scenario}` },
      deps,
    );
  const lastBody = (): Record<string, unknown> =>
    JSON.parse(server.requests[server.requests.length - 1].body.toString()) as Record<string, unknown>;

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      const scenario = req.url.split('/')[1];
      const count = (hits.get(scenario) ?? 0) + 1;
      hits.set(scenario, count);
      const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
      };
      switch (scenario) {
        case 'plain':
          json(200, {
            type: 'message',
            content: [{ type: 'text', text: 'Hello there' }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 11, output_tokens: 2 },
          });
          return;
        case 'stream':
          sse(res, [
            { type: 'message_start', message: { usage: { input_tokens: 20, output_tokens: 1 } } },
            { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
            { type: 'ping' },
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo!' } },
            { type: 'content_block_stop', index: 0 },
            { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } },
            { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
            { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
            { type: 'content_block_stop', index: 1 },
            { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 15 } },
            { type: 'message_stop' },
          ]);
          return;
        case 'json':
          json(200, {
            content: [{ type: 'tool_use', id: 'toolu_j', name: 'answer', input: { city: 'Paris' } }],
            stop_reason: 'tool_use',
            usage: { input_tokens: 5, output_tokens: 7 },
          });
          return;
        case 'overloaded':
          if (count === 1) json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, { 'retry-after': '2' });
          else
            json(200, { content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } });
          return;
        case 'bad-key':
          json(401, { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${API_KEY}` } });
          return;
        case 'broken':
          json(500, { type: 'error', error: { type: 'api_error', message: 'Internal server error' } });
          return;
        case 'stream-error':
          sse(res, [
            { type: 'message_start', message: { usage: { input_tokens: 1 } } },
            { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
          ]);
          return;
        default:
          json(404, { type: 'error', error: { type: 'not_found_error', message: 'no scenario' } });
      }
    });
  });

  afterAll(() => server.close());
  beforeEach(() => {
    waits = [];
  });

  it('moves the system prompt, defaults max_tokens, maps stop and drops OpenAI-only params', async () => {
    const result = await anthropic('plain').chat(request);
    expect(result).toEqual({ text: 'Hello there', toolCalls: [], usage: { promptTokens: 11, completionTokens: 2 }, finishReason: 'stop' });
    const sent = server.requests[server.requests.length - 1];
    expect(sent.url).toBe('/plain/v1/messages');
    expect(sent.headers['x-api-key']).toBe(API_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(lastBody()).toEqual({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 4096,
      system: 'Be brief.',
      temperature: 0.3,
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    });
  });

  it('streams text deltas in order, assembles tool input and reads usage from message_start and message_delta', async () => {
    const deltas: string[] = [];
    const result = await anthropic('stream').chat(
      { ...request, params: { max_tokens: 100 }, tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }] },
      { onDelta: (t) => deltas.push(t) },
    );
    expect(deltas).toEqual(['Hel', 'lo!']);
    expect(result).toEqual({
      text: 'Hello!',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      usage: { promptTokens: 20, completionTokens: 15 },
      finishReason: 'tool_calls',
    });
    expect(lastBody()).toMatchObject({
      stream: true,
      max_tokens: 100,
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }],
    });
  });

  it('turns tool results into user-turn tool_result blocks', async () => {
    await anthropic('plain').chat({
      ...request,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: 'sunny', toolCallId: 'toolu_1' },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(lastBody().messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('serves a json_schema response format through a forced tool and returns its input as text', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const result = await anthropic('json').chat({ ...request, responseFormat: { type: 'json_schema', name: 'answer', schema } });
    expect(result.text).toBe('{"city":"Paris"}');
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toBe('stop');
    expect(lastBody()).toMatchObject({
      tools: [{ name: 'answer', input_schema: schema }],
      tool_choice: { type: 'tool', name: 'answer' },
    });
  });

  it('retries an overloaded (529) reply after Retry-After', async () => {
    const result = await anthropic('overloaded').chat(request);
    expect(result.text).toBe('ok');
    expect(hits.get('overloaded')).toBe(2);
    expect(waits).toEqual([2000]);
  });

  it('maps 401 to provider_not_initialize without leaking the key', async () => {
    const error = await anthropic('bad-key')
      .chat(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toMatchObject({ status: 401, code: 'provider_not_initialize' });
    expect((error as Error).message).toContain('invalid x-api-key');
    expect((error as Error).message).not.toContain('Secret9xYz');
    expect(hits.get('bad-key')).toBe(1);
  });

  it('gives up after the bounded attempts on repeated 500s', async () => {
    const error = await anthropic('broken')
      .chat(request)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, code: 'completion_request_error' });
    expect((error as Error).message).toContain('Internal server error');
    expect(hits.get('broken')).toBe(3);
  });

  it('reports an error event in the stream', async () => {
    const error = await anthropic('stream-error')
      .chat(request, { onDelta: () => undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as Error).message).toBe('[anthropic] overloaded_error: Overloaded');
  });

  it('refuses an API URL at the metadata address', async () => {
    const provider = createChatProvider('anthropic', { anthropic_api_key: API_KEY, anthropic_api_url: 'http://169.254.169.254' }, deps);
    const error = await provider.chat(request).catch((e: unknown) => e);
    expect((error as ProviderRequestError).cause).toBeInstanceOf(SsrfBlockedError);
  });
});
