import { DomainError } from '@weft/contracts';
import { createSsrfGuard } from '@weft/outbound-http';
import { startTestHttpServer, type RecordedRequest, type TestHttpServer } from '@weft/testing';
import type { SpeechTarget } from '@weft/outbound-http';
import { SpeechProviderRepository } from './speech-provider.repository';

/** An MP3 frame header followed by filler: what a speech endpoint streams. */
const MP3 = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(5000, 0x55)]);

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

async function formOf(req: RecordedRequest): Promise<FormData> {
  return new Response(req.body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
}

describe('SpeechProviderRepository against a local OpenAI-style server', () => {
  let server: TestHttpServer;
  let reply: (req: RecordedRequest, res: import('node:http').ServerResponse) => void;
  const repo = new SpeechProviderRepository(createSsrfGuard({ allowedHosts: ['127.0.0.1'], setting: 'PROVIDER_ALLOWED_HOSTS' }));
  const target = (): SpeechTarget => ({ apiKey: 'sk-speech-secret-1', baseUrl: `${server.url}/v1`, provider: 'openai' });

  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => reply(req, res));
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    server.requests.length = 0;
  });

  it('transcribes: posts the file and the model as multipart with the key, and answers the text', async () => {
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'hello world' }));
    const audio = Buffer.from([0x52, 0x49, 0x46, 0x46, 1, 2, 3]);
    await expect(repo.transcribe(target(), 'whisper-1', { content: audio, subtype: 'wav' })).resolves.toBe('hello world');
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/audio/transcriptions' });
    expect(req!.headers['authorization']).toBe('Bearer sk-speech-secret-1');
    const form = await formOf(req!);
    expect(form.get('model')).toBe('whisper-1');
    const file = form.get('file') as File;
    expect(file.name).toBe('audio.wav');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(audio);
  });

  it('sends no Authorization header to a keyless OpenAI-compatible server', async () => {
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'ok' }));
    await repo.transcribe({ ...target(), apiKey: undefined }, 'whisper-1', { content: Buffer.from('x'), subtype: 'mp3' });
    expect(server.requests[0]!.headers['authorization']).toBeUndefined();
  });

  it('answers a refusal as completion_request_error in Dify`s words, with the key masked', async () => {
    reply = (_req, res) =>
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'Incorrect API key provided: sk-speech-secret-1', type: 'invalid_request_error' } }));
    const error = await repo.transcribe(target(), 'whisper-1', { content: Buffer.from('x'), subtype: 'mp3' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'completion_request_error',
      message: '[openai] Error code: 401 - Incorrect API key provided: ***',
    });
  });

  it('refuses an answer that is not a transcription', async () => {
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>');
    await expect(repo.transcribe(target(), 'whisper-1', { content: Buffer.from('x'), subtype: 'mp3' })).rejects.toMatchObject({
      code: 'completion_request_error',
    });
    reply = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ segments: [] }));
    await expect(repo.transcribe(target(), 'whisper-1', { content: Buffer.from('x'), subtype: 'mp3' })).rejects.toMatchObject({
      code: 'completion_request_error',
      message: '[openai] The transcription has no text.',
    });
  });

  it('speaks: posts {model, input, voice, response_format} and streams the audio back', async () => {
    reply = (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'transfer-encoding': 'chunked' });
      res.write(MP3.subarray(0, 1000));
      setTimeout(() => res.end(MP3.subarray(1000)), 20);
    };
    const audio = await collect(await repo.speak(target(), 'tts-1', 'Read me aloud.', 'nova'));
    expect(audio).toEqual(MP3);
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/audio/speech' });
    expect(JSON.parse(req!.body.toString())).toEqual({ input: 'Read me aloud.', model: 'tts-1', response_format: 'mp3', voice: 'nova' });
  });

  it('answers a refused speech call before any audio, as completion_request_error', async () => {
    reply = (_req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Input too long' } }));
    await expect(repo.speak(target(), 'tts-1', 'x', 'alloy')).rejects.toMatchObject({
      code: 'completion_request_error',
      message: '[openai] Error code: 400 - Input too long',
    });
  });

  it('does not follow a redirect: a provider answers where it is asked', async () => {
    reply = (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    await expect(repo.transcribe(target(), 'whisper-1', { content: Buffer.from('x'), subtype: 'mp3' })).rejects.toMatchObject({
      code: 'completion_request_error',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a base URL on a loopback address the operator did not allow, naming the setting', async () => {
    const strict = new SpeechProviderRepository(createSsrfGuard({ allowedHosts: [], setting: 'PROVIDER_ALLOWED_HOSTS' }));
    reply = (_req, res) => res.writeHead(200).end('{}');
    const error = await strict.transcribe(target(), 'whisper-1', { content: Buffer.from('x'), subtype: 'mp3' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_not_initialize' });
    expect((error as Error).message).toContain('PROVIDER_ALLOWED_HOSTS');
    await expect(strict.speak(target(), 'tts-1', 'x', 'alloy')).rejects.toMatchObject({ code: 'provider_not_initialize' });
    expect(server.requests).toHaveLength(0);
  });
});
