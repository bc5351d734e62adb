import { estimateTokens, parseSse, redact, SseEvent } from './provider-http.util';

async function collect(chunks: string[]): Promise<SseEvent[]> {
  async function* source(): AsyncGenerator<Buffer> {
    for (const chunk of chunks) yield Buffer.from(chunk, 'utf8');
  }
  const events: SseEvent[] = [];
  for await (const event of parseSse(source())) events.push(event);
  return events;
}

describe('parseSse', () => {
  it('handles events split across chunks, CRLF endings, comments and multi-line data', async () => {
    expect(await collect([': keep-alive\n\nevent: ping\r', '\ndata: {"a"', ':1}\r\n\r\ndata: x\ndata: y\n\n'])).toEqual([
      { event: 'ping', data: '{"a":1}' },
      { event: undefined, data: 'x\ny' },
    ]);
  });

  it('keeps multi-byte characters split between chunks and flushes a last event without a blank line', async () => {
    const bytes = Buffer.from('data: héllo\n\ndata: end', 'utf8');
    async function* source(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 8);
      yield bytes.subarray(8);
    }
    const events: SseEvent[] = [];
    for await (const event of parseSse(source())) events.push(event);
    expect(events).toEqual([
      { event: undefined, data: 'héllo' },
      { event: undefined, data: 'end' },
    ]);
  });
});

describe('redact', () => {
  it('removes given secrets and key-shaped strings', () => {
    expect(redact('bad key abcd1234 and sk-proj-AAAAbbbb1234', ['abcd1234'])).toBe('bad key *** and sk-***');
  });
});

describe('estimateTokens', () => {
  it('counts about four characters per token', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcdefgh')).toBe(2);
  });
});
