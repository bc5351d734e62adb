import { chunkWords, countWords, MockChatService, valueFromSchema } from './mock-chat.service';
import type { ChatRequest } from './provider.types';

const request: ChatRequest = {
  model: 'mock',
  messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: 'What is the weather in Paris today?' },
  ],
  params: {},
};

describe('MockChatService', () => {
  const mock = new MockChatService();

  it('answers deterministically from the last user message, counting whitespace words', async () => {
    const first = await mock.chat(request);
    const second = await mock.chat(request);
    expect(first).toEqual(second);
    expect(first).toEqual({
      text: 'Mock reply to: What is the weather in Paris today?',
      toolCalls: [],
      usage: { promptTokens: 3 + 7, completionTokens: 10 },
      finishReason: 'stop',
    });
  });

  it('streams the same text in chunks of a few words', async () => {
    const deltas: string[] = [];
    const result = await mock.chat(request, { onDelta: (t) => deltas.push(t) });
    expect(deltas).toEqual(['Mock reply to: ', 'What is the ', 'weather in Paris ', 'today?']);
    expect(deltas.join('')).toBe(result.text);
  });

  it('builds JSON from a schema, taking values written in the prompt', async () => {
    const result = await mock.chat({
      ...request,
      messages: [{ role: 'user', content: 'Extract: name: Ada Lovelace, age: 36, "member": true' }],
      responseFormat: {
        type: 'json_schema',
        name: 'person',
        schema: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            age: { type: 'integer' },
            member: { type: 'boolean' },
            city: { type: 'string' },
            tags: { type: 'array', items: { type: 'string' } },
            level: { type: 'string', enum: ['low', 'high'] },
            address: { type: 'object', properties: { zip: { type: 'number' } } },
          },
        },
      },
    });
    expect(JSON.parse(result.text)).toEqual({
      name: 'Ada Lovelace',
      age: 36,
      member: true,
      city: 'mock city',
      tags: [],
      level: 'low',
      address: { zip: 0 },
    });
  });

  it('wraps the reply for json_object', async () => {
    const result = await mock.chat({ ...request, responseFormat: { type: 'json_object' } });
    expect(JSON.parse(result.text)).toEqual({ reply: 'Mock reply to: What is the weather in Paris today?' });
  });

  it('calls the first tool, then answers in text once a tool result is present', async () => {
    const tools = [
      { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    const call = await mock.chat({ ...request, messages: [{ role: 'user', content: 'city: Paris' }], tools });
    expect(call.finishReason).toBe('tool_calls');
    expect(call.toolCalls).toEqual([{ id: 'call_mock_get_weather', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    const answer = await mock.chat({
      ...request,
      messages: [
        { role: 'user', content: 'city: Paris' },
        { role: 'assistant', content: '', toolCalls: call.toolCalls },
        { role: 'tool', content: 'sunny', toolCallId: 'call_mock_get_weather' },
      ],
      tools,
    });
    expect(answer).toMatchObject({ text: 'Mock reply to: city: Paris', finishReason: 'stop', toolCalls: [] });
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(mock.chat(request, { signal: controller.signal })).rejects.toThrow('cancelled');
  });

  it('has helpers that agree with each other', () => {
    expect(countWords('  a  b\tc\n')).toBe(3);
    expect(countWords('   ')).toBe(0);
    expect(chunkWords('  one two three four').join('')).toBe('  one two three four');
    expect(valueFromSchema({ type: 'number' }, 'score', 'score = 4.5')).toBe(4.5);
  });
});
