import {
  chooseVoice,
  multipartForm,
  OPENAI_DEFAULT_BASE_URL,
  providerErrorMessage,
  speechTarget,
  splitForSpeech,
} from './openai-speech.util';

/** Reads a multipart body back with the platform's own parser (undici's), as a server would. */
async function parseForm(body: Buffer, contentType: string): Promise<FormData> {
  return new Response(body, { headers: { 'content-type': contentType } }).formData();
}

describe('speechTarget', () => {
  it('points openai at api.openai.com, or at its base with /v1 added once, as Dify`s form takes it', () => {
    expect(speechTarget('openai', { openai_api_key: 'sk-1' })).toEqual({
      apiKey: 'sk-1',
      baseUrl: OPENAI_DEFAULT_BASE_URL,
      provider: 'openai',
    });
    expect(speechTarget('openai', { openai_api_base: 'http://h:1/', openai_api_key: 'sk-1' })?.baseUrl).toBe('http://h:1/v1');
    expect(speechTarget('openai', { openai_api_base: 'http://h:1/v1', openai_api_key: 'sk-1' })?.baseUrl).toBe('http://h:1/v1');
  });

  it('takes an OpenAI-compatible endpoint as given (it includes /v1), with or without a key', () => {
    expect(speechTarget('openai_api_compatible', { endpoint_url: 'http://whisper.local/v1/' })).toEqual({
      apiKey: undefined,
      baseUrl: 'http://whisper.local/v1',
      provider: 'openai_api_compatible',
    });
    expect(speechTarget('openai_api_compatible', { api_key: 'k', endpoint_url: 'http://x/v1' })?.apiKey).toBe('k');
  });

  it('is null when the credentials lack what the provider needs', () => {
    expect(speechTarget('openai', {})).toBeNull();
    expect(speechTarget('openai', { openai_api_key: '  ' })).toBeNull();
    expect(speechTarget('openai_api_compatible', { api_key: 'k' })).toBeNull();
  });
});

describe('chooseVoice', () => {
  it('takes the request`s voice, else the feature`s, else the first voice', () => {
    expect(chooseVoice('openai', 'echo', 'nova')).toBe('echo');
    expect(chooseVoice('openai', undefined, 'nova')).toBe('nova');
    expect(chooseVoice('openai', '  ', undefined)).toBe('alloy');
  });

  it('gives OpenAI its default voice for a name it does not know, and a compatible server the name as given', () => {
    expect(chooseVoice('openai', 'Samantha', undefined)).toBe('alloy');
    expect(chooseVoice('openai_api_compatible', 'af_sky', undefined)).toBe('af_sky');
  });
});

describe('splitForSpeech', () => {
  it('keeps short text whole, trimmed, and drops blank text', () => {
    expect(splitForSpeech('  Hello there.  ')).toEqual(['Hello there.']);
    expect(splitForSpeech(' \n ')).toEqual([]);
  });

  it('cuts long text at the last sentence end inside the limit, so no piece is longer than it', () => {
    const text = 'One two. Three four five! Six seven? Eight nine ten.';
    const pieces = splitForSpeech(text, 20);
    expect(pieces).toEqual(['One two.', 'Three four five!', 'Six seven?', 'Eight nine ten.']);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(20);
  });

  it('falls back to the last space, then to a hard cut, losing no character', () => {
    expect(splitForSpeech('aaaa bbbb cccc', 9)).toEqual(['aaaa bbbb', 'cccc']);
    expect(splitForSpeech('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    const long = Array.from({ length: 3000 }, (_, i) => `Sentence ${i}.`).join(' ');
    const pieces = splitForSpeech(long);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(4096);
    expect(pieces.join(' ')).toBe(long);
  });

  it('cuts at CJK sentence ends too', () => {
    expect(splitForSpeech('你好。世界！', 4)).toEqual(['你好。', '世界！']);
  });
});

describe('multipartForm', () => {
  it('builds a form a real multipart parser reads back: the fields, and the file with its name, type and exact bytes', async () => {
    const content = Buffer.from([0, 1, 2, 255, 13, 10, 45, 45, 0x49, 0x44, 0x33]);
    const form = multipartForm(
      { model: 'whisper-1', response_format: 'json' },
      { content, contentType: 'audio/wav', field: 'file', filename: 'audio.wav' },
    );
    expect(form.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const parsed = await parseForm(form.body, form.contentType);
    expect(parsed.get('model')).toBe('whisper-1');
    expect(parsed.get('response_format')).toBe('json');
    const file = parsed.get('file') as File;
    expect(file.name).toBe('audio.wav');
    expect(file.type).toBe('audio/wav');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(content);
  });

  it('picks another boundary when the given one occurs in the content', async () => {
    const content = Buffer.from('before --clash after');
    const form = multipartForm({}, { content, contentType: 'audio/mp3', field: 'file', filename: 'a.mp3' }, 'clash');
    expect(form.contentType).not.toContain('boundary=clash');
    const file = (await parseForm(form.body, form.contentType)).get('file') as File;
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('before --clash after');
  });

  it('cannot be broken out of by a quote or a line break in a name', async () => {
    const form = multipartForm(
      {},
      { content: Buffer.from('x'), contentType: 'audio/mp3\r\nX-Evil: 1', field: 'file', filename: 'a"\r\nb.mp3' },
    );
    const head = form.body.toString('latin1');
    expect(head).not.toContain('\r\nX-Evil');
    expect(head).toContain('filename="a%22%0D%0Ab.mp3"');
  });
});

describe('providerErrorMessage', () => {
  it('words an OpenAI refusal as Dify`s plugin does, with the key masked', () => {
    const body = JSON.stringify({
      error: { code: 'invalid_api_key', message: 'Incorrect API key provided: sk-abcdef123456.', type: 'invalid_request_error' },
    });
    expect(providerErrorMessage('openai', 401, body, ['sk-abcdef123456'])).toBe(
      '[openai] Error code: 401 - Incorrect API key provided: ***.',
    );
  });

  it('reads a plain-string error, a `detail`, or the raw body, and masks anything shaped like a key', () => {
    expect(providerErrorMessage('p', 400, JSON.stringify({ error: 'bad audio' }), [])).toBe('[p] Error code: 400 - bad audio');
    expect(providerErrorMessage('p', 422, JSON.stringify({ detail: 'no model' }), [])).toBe('[p] Error code: 422 - no model');
    expect(providerErrorMessage('p', 502, 'upstream sk-zzzzzzzzzz down', [])).toBe('[p] Error code: 502 - upstream sk-*** down');
    expect(providerErrorMessage('p', 500, '', [])).toBe('[p] Error code: 500 - no error message');
  });
});
