import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DslBuilder, queryDatabase, TestStack, WeftClient } from '@weft/testing';

/** The fake speech server listens on 127.0.0.2, the one private address the stack's PROVIDER_ALLOWED_HOSTS admits. */
const ALLOWED_HOST = '127.0.0.2';
const SPEECH_KEY = 'sk-speech-e2e-0123456789';
/** The start of an MPEG audio frame: what OpenAI's speech endpoint streams. */
const MP3_HEADER = Buffer.from([0xff, 0xfb, 0x90, 0x64]);
const FLASK_NOT_FOUND =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';

interface SpeechCall {
  authorization: string | undefined;
  body: Buffer;
  contentType: string;
  url: string;
}

/**
 * A local server speaking OpenAI's audio wire protocol: `POST /v1/audio/transcriptions` takes a multipart
 * `file` and `model` and answers `{text}` naming what it got; `POST /v1/audio/speech` takes JSON `{model,
 * input, voice, response_format}` and streams MP3 bytes (a frame header, then `<voice>|<input>`, in two
 * chunks). A wrong key gets OpenAI's 401 body, which quotes the key as OpenAI does.
 */
async function startSpeechServer(): Promise<{ calls: SpeechCall[]; server: Server; url: string }> {
  const calls: SpeechCall[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      void (async () => {
        const call = {
          authorization: req.headers.authorization,
          body: Buffer.concat(parts),
          contentType: String(req.headers['content-type'] ?? ''),
          url: req.url ?? '',
        };
        calls.push(call);
        const given = (call.authorization ?? '').replace(/^Bearer /, '');
        if (given !== SPEECH_KEY) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              error: {
                code: 'invalid_api_key',
                message: `Incorrect API key provided: ${given}.`,
                param: null,
                type: 'invalid_request_error',
              },
            }),
          );
          return;
        }
        if (req.method === 'POST' && call.url === '/v1/audio/transcriptions') {
          const form = await new Response(call.body, { headers: { 'content-type': call.contentType } }).formData();
          const file = form.get('file');
          if (!(file instanceof File)) {
            res
              .writeHead(400, { 'content-type': 'application/json' })
              .end(JSON.stringify({ error: { message: "'file' is a required property" } }));
            return;
          }
          const bytes = Buffer.from(await file.arrayBuffer());
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ text: `heard ${file.name} (${file.type}, ${bytes.length} bytes) with ${String(form.get('model'))}` }));
          return;
        }
        if (req.method === 'POST' && call.url === '/v1/audio/speech') {
          const body = JSON.parse(call.body.toString('utf8')) as { input: string; voice: string };
          res.writeHead(200, { 'content-type': 'audio/mpeg', 'transfer-encoding': 'chunked' });
          res.write(MP3_HEADER);
          setTimeout(() => res.end(Buffer.from(`${body.voice}|${body.input}`, 'utf8')), 10);
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Not found' } }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, ALLOWED_HOST, resolve));
  return { calls, server, url: `http://${ALLOWED_HOST}:${(server.address() as AddressInfo).port}` };
}

/** start → answer "You said: <query>": a chatflow that needs no model, with the audio features as given. */
function echoChatflow(name: string, features: Record<string, unknown>): string {
  return new DslBuilder(name, 'advanced-chat')
    .node('start', 'start', { variables: [] })
    .node('answer', 'answer', { answer: 'You said: {{#sys.query#}}' })
    .chain('start', 'answer')
    .features(features)
    .toYaml();
}

const AUDIO_ON = { speech_to_text: { enabled: true }, text_to_speech: { enabled: true, language: 'en-US', voice: 'nova' } };

/** A multipart form with the given file parts and fields. */
function form(
  files: { content: Buffer | string; field?: string; name: string; type?: string }[],
  fields: Record<string, string> = {},
): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const f of files) data.append(f.field ?? 'file', new Blob([f.content], f.type === undefined ? {} : { type: f.type }), f.name);
  return data;
}

interface Answer {
  body: Buffer;
  headers: Headers;
  json: Record<string, unknown>;
  status: number;
}

async function send(url: string, init: RequestInit & { key?: string }): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  const res = await fetch(url, { ...init, headers });
  const body = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> = {};
  if (res.headers.get('content-type')?.includes('application/json') && body.length > 0)
    json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  return { body, headers: res.headers, json, status: res.status };
}

describe('audio (audio-to-text, text-to-audio) and file preview, through the gateway', () => {
  let stack: TestStack;
  let client: WeftClient;
  let speech: Awaited<ReturnType<typeof startSpeechServer>>;
  let storageDir: string;
  let owner: string;
  let stranger: string;
  let app: { appId: string; key: string };
  let silentApp: { appId: string; key: string };
  let otherWorkspaceApp: { appId: string; key: string };

  const base = () => stack.gateway.baseUrl;
  const audioToText = (key: string | undefined, body: FormData | string, headers: Record<string, string> = {}) =>
    send(`${base()}/v1/audio-to-text`, { body, headers, key, method: 'POST' });
  const textToAudio = (key: string | undefined, body: unknown) =>
    send(`${base()}/v1/text-to-audio`, {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      key,
      method: 'POST',
    });
  const preview = (key: string | undefined, fileId: string, query = '') =>
    send(`${base()}/v1/files/${fileId}/preview${query}`, { key, method: 'GET' });
  const upload = async (key: string, file: { content: Buffer | string; name: string; type: string }): Promise<string> => {
    const res = await send(`${base()}/v1/files/upload`, { body: form([file], { user: 'ada' }), key, method: 'POST' });
    expect(res.status).toBe(201);
    return res.json['id'] as string;
  };
  const saveOpenAi = (token: string, credentials: Record<string, string>) =>
    client.call('PUT', '/console/api/workspaces/current/model-providers/openai', { body: { credentials }, token });

  beforeAll(async () => {
    speech = await startSpeechServer();
    storageDir = await mkdtemp(join(tmpdir(), 'weft-audio-preview-'));
    stack = await TestStack.create({
      env: { AUDIO_FILE_SIZE_LIMIT: '1', PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST, STORAGE_LOCAL_PATH: storageDir, STORAGE_TYPE: 'local' },
    });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    owner = await client.register();
    stranger = await client.register();
    expect((await saveOpenAi(owner, { openai_api_base: speech.url, openai_api_key: SPEECH_KEY })).status).toBe(200);
    app = await client.deploy(owner, echoChatflow('speaker', AUDIO_ON));
    silentApp = await client.deploy(owner, echoChatflow('silent', {}));
    otherWorkspaceApp = await client.deploy(stranger, echoChatflow('elsewhere', AUDIO_ON));
  });

  afterAll(async () => {
    await stack?.destroy();
    speech?.server.close();
    if (storageDir) await rm(storageDir, { force: true, recursive: true });
  });

  beforeEach(() => {
    speech.calls.length = 0;
  });

  describe('POST /v1/audio-to-text', () => {
    it('transcribes a recording through the workspace`s OpenAI credentials with whisper-1', async () => {
      const recording = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(2048, 7)]);
      const res = await audioToText(app.key, form([{ content: recording, name: 'memo.wav', type: 'audio/wav' }], { user: 'ada' }));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ text: 'heard audio.wav (audio/wav, 2052 bytes) with whisper-1' });
      expect(speech.calls).toHaveLength(1);
      expect(speech.calls[0]).toMatchObject({ authorization: `Bearer ${SPEECH_KEY}`, url: '/v1/audio/transcriptions' });
      const sent = await new Response(speech.calls[0]!.body, { headers: { 'content-type': speech.calls[0]!.contentType } }).formData();
      expect(Buffer.from(await (sent.get('file') as File).arrayBuffer())).toEqual(recording);
    });

    it('takes every audio type Dify takes, a browser recorder`s type with codecs included, and no user', async () => {
      for (const type of ['audio/mp3', 'audio/mpeg', 'audio/mpga', 'audio/m4a', 'audio/mp4', 'audio/webm;codecs=opus', 'audio/amr']) {
        const res = await audioToText(app.key, form([{ content: Buffer.alloc(64, 1), name: 'clip', type }]));
        expect(res.status).toBe(200);
        expect(res.json['text']).toMatch(/^heard audio\.\w+ /);
      }
    });

    it('answers no_audio_uploaded for no file, a file under another field, an empty file, or a JSON body', async () => {
      const cases: (FormData | string)[] = [
        form([], { user: 'ada' }),
        form([{ content: Buffer.alloc(10), field: 'audio', name: 'a.wav', type: 'audio/wav' }]),
        form([{ content: Buffer.alloc(0), name: 'a.wav', type: 'audio/wav' }]),
      ];
      for (const body of cases) {
        const res = await audioToText(app.key, body);
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ code: 'no_audio_uploaded', message: 'Please upload your audio.', status: 400 });
      }
      const json = await audioToText(app.key, JSON.stringify({ user: 'ada' }), { 'content-type': 'application/json' });
      expect(json.json).toEqual({ code: 'no_audio_uploaded', message: 'Please upload your audio.', status: 400 });
      expect(speech.calls).toHaveLength(0);
    });

    it('answers 415 unsupported_audio_type for anything that is not declared as an accepted audio type', async () => {
      for (const file of [
        { content: 'just text', name: 'notes.txt', type: 'text/plain' },
        { content: Buffer.alloc(10), name: 'clip.wav', type: 'application/octet-stream' },
        { content: Buffer.alloc(10), name: 'clip.ogg', type: 'audio/ogg' },
        { content: Buffer.alloc(10), name: 'film.mp4', type: 'video/mp4' },
        { content: '<script>alert(1)</script>', name: 'x.html', type: 'text/html' },
      ]) {
        const res = await audioToText(app.key, form([file]));
        expect(res.status).toBe(415);
        expect(res.json).toEqual({ code: 'unsupported_audio_type', message: 'Audio type not allowed.', status: 415 });
      }
      expect(speech.calls).toHaveLength(0);
    });

    it('answers 413 audio_too_large past AUDIO_FILE_SIZE_LIMIT, and takes a recording right at it', async () => {
      const over = await audioToText(app.key, form([{ content: Buffer.alloc(1024 * 1024 + 1, 1), name: 'long.wav', type: 'audio/wav' }]));
      expect(over.status).toBe(413);
      expect(over.json).toEqual({ code: 'audio_too_large', message: 'Audio size larger than 1 mb', status: 413 });
      expect(speech.calls).toHaveLength(0);
      const at = await audioToText(app.key, form([{ content: Buffer.alloc(1024 * 1024, 1), name: 'ok.wav', type: 'audio/wav' }]));
      expect(at.status).toBe(200);
    });

    it('refuses two files, a repeated user field and a broken form', async () => {
      const two = form([
        { content: Buffer.alloc(8), name: 'a.wav', type: 'audio/wav' },
        { content: Buffer.alloc(8), name: 'b.wav', type: 'audio/wav' },
      ]);
      expect((await audioToText(app.key, two)).json).toMatchObject({ code: 'too_many_files', status: 400 });
      const users = form([{ content: Buffer.alloc(8), name: 'a.wav', type: 'audio/wav' }]);
      users.append('user', 'ada');
      users.append('user', 'bob');
      expect((await audioToText(app.key, users)).json).toEqual({
        code: 'invalid_param',
        message: 'user: Expected a single string',
        status: 400,
      });
      const broken = await audioToText(app.key, '--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n', {
        'content-type': 'multipart/form-data; boundary=x',
      });
      expect(broken.json).toMatchObject({ code: 'invalid_param', status: 400 });
    });

    it('answers Dify`s errors for an app without the feature, a missing key and a workspace without a speech provider', async () => {
      const file = () => form([{ content: Buffer.alloc(16, 1), name: 'a.wav', type: 'audio/wav' }]);
      expect((await audioToText(silentApp.key, file())).json).toEqual({
        code: 'invalid_param',
        message: 'Speech to text is not enabled',
        status: 400,
      });
      expect((await audioToText(undefined, file())).status).toBe(401);
      expect((await audioToText('app-forged-key', file())).status).toBe(401);
      expect((await audioToText(otherWorkspaceApp.key, file())).json).toEqual({
        code: 'provider_not_support_speech_to_text',
        message: 'Provider not support speech to text.',
        status: 400,
      });
      expect(speech.calls).toHaveLength(0);
    });
  });

  describe('POST /v1/text-to-audio', () => {
    it('streams the text spoken as MP3, with the app`s voice unless the request names one', async () => {
      const res = await textToAudio(app.key, { streaming: false, text: 'Hello from Weft.', user: 'ada' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/mpeg');
      expect(res.body).toEqual(Buffer.concat([MP3_HEADER, Buffer.from('nova|Hello from Weft.')]));
      expect(speech.calls).toHaveLength(1);
      expect(speech.calls[0]).toMatchObject({ authorization: `Bearer ${SPEECH_KEY}`, url: '/v1/audio/speech' });
      expect(JSON.parse(speech.calls[0]!.body.toString())).toEqual({
        input: 'Hello from Weft.',
        model: 'tts-1',
        response_format: 'mp3',
        voice: 'nova',
      });

      const echo = await textToAudio(app.key, { text: 'Hi.', voice: 'echo' });
      expect(echo.body.subarray(4).toString()).toBe('echo|Hi.');
      // OpenAI has no such voice: Dify's OpenAI plugin speaks with the default one instead.
      const unknown = await textToAudio(app.key, { text: 'Hi.', voice: 'Samantha' });
      expect(unknown.body.subarray(4).toString()).toBe('alloy|Hi.');
    });

    it('reads a message`s answer aloud for the user it belongs to, and no one else`s', async () => {
      const chat = await client.call('POST', '/v1/chat-messages', {
        body: { inputs: {}, query: 'read this back', response_mode: 'blocking', user: 'ada' },
        token: app.key,
      });
      expect(chat.status).toBe(200);
      const messageId = chat.body['message_id'] as string;
      const res = await textToAudio(app.key, { message_id: messageId, text: 'not this', user: 'ada' });
      expect(res.status).toBe(200);
      expect(res.body.subarray(4).toString()).toBe('nova|You said: read this back');

      const notFound = { code: 'not_found', message: 'Message Not Exists.', status: 404 };
      expect((await textToAudio(app.key, { message_id: messageId, user: 'bob' })).json).toEqual(notFound);
      expect((await textToAudio(app.key, { message_id: randomUUID(), user: 'ada' })).json).toEqual(notFound);
      expect((await textToAudio(app.key, { message_id: "1' OR '1'='1", user: 'ada' })).json).toEqual(notFound);
      const sameWorkspace = await client.deploy(owner, echoChatflow('sibling', AUDIO_ON));
      expect((await textToAudio(sameWorkspace.key, { message_id: messageId, user: 'ada' })).json).toEqual(notFound);
      expect(speech.calls).toHaveLength(1);
    });

    it('refuses missing text, wrong types and an app without the feature, with Dify`s errors', async () => {
      for (const body of [{}, { user: 'ada' }, { text: '' }, { message_id: '', text: '   ' }]) {
        expect((await textToAudio(app.key, body)).json).toEqual({ code: 'invalid_param', message: 'Text is required', status: 400 });
      }
      for (const body of [
        { text: 42 },
        { text: 'x', voice: ['a'] },
        { text: 'x', streaming: 'yes' },
        { message_id: 7 },
        { text: 'x', user: 5 },
      ]) {
        const res = await textToAudio(app.key, body);
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ code: 'invalid_param', status: 400 });
      }
      expect((await textToAudio(app.key, { text: 'x'.repeat(100_001) })).json).toMatchObject({ code: 'invalid_param', status: 400 });
      expect((await textToAudio(silentApp.key, { text: 'Hi.' })).json).toEqual({
        code: 'invalid_param',
        message: 'TTS is not enabled',
        status: 400,
      });
      expect((await textToAudio(undefined, { text: 'Hi.' })).status).toBe(401);
      expect(speech.calls).toHaveLength(0);
    });

    it('answers provider_not_initialize without a provider, refuses an internal base URL, and passes on a provider`s refusal with the key masked', async () => {
      expect((await textToAudio(otherWorkspaceApp.key, { text: 'Hi.' })).json).toMatchObject({
        code: 'provider_not_initialize',
        status: 400,
      });

      // The workspace points "its OpenAI" at the gateway's own loopback address: the SSRF guard refuses it.
      expect((await saveOpenAi(stranger, { openai_api_base: base(), openai_api_key: SPEECH_KEY })).status).toBe(200);
      const internal = await textToAudio(otherWorkspaceApp.key, { text: 'Hi.' });
      expect(internal.json).toMatchObject({ code: 'provider_not_initialize', status: 400 });
      expect(internal.json['message']).toContain('PROVIDER_ALLOWED_HOSTS');
      const internalStt = await audioToText(otherWorkspaceApp.key, form([{ content: Buffer.alloc(8), name: 'a.wav', type: 'audio/wav' }]));
      expect(internalStt.json).toMatchObject({ code: 'provider_not_initialize', status: 400 });

      const wrongKey = 'sk-wrong-key-abcdefgh';
      expect((await saveOpenAi(stranger, { openai_api_base: speech.url, openai_api_key: wrongKey })).status).toBe(200);
      // Credentials are read when a call needs them, so the new ones apply at once.
      const refused = await textToAudio(otherWorkspaceApp.key, { text: 'Hi.' });
      expect(refused.json).toEqual({
        code: 'completion_request_error',
        message: '[openai] Error code: 401 - Incorrect API key provided: ***.',
        status: 400,
      });
      const refusedStt = await audioToText(otherWorkspaceApp.key, form([{ content: Buffer.alloc(8), name: 'a.wav', type: 'audio/wav' }]));
      expect(refusedStt.json).toEqual({
        code: 'completion_request_error',
        message: '[openai] Error code: 401 - Incorrect API key provided: ***.',
        status: 400,
      });
      expect(JSON.stringify([refused.json, refusedStt.json])).not.toContain(wrongKey);
    });
  });

  describe('GET /v1/files/{file_id}/preview', () => {
    const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 3)]);

    it('streams an uploaded image inline with its type, length and the preview`s safe headers', async () => {
      const id = await upload(app.key, { content: PNG, name: 'cat.png', type: 'image/png' });
      const res = await preview(app.key, id, '?user=ada');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(PNG);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-length')).toBe(String(PNG.length));
      expect(res.headers.get('content-disposition')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; sandbox");
      expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
    });

    it('makes it a download with as_attachment, its name safely encoded', async () => {
      // Upload names cannot hold slashes or backslashes; quotes, semicolons and non-ASCII letters they can.
      const name = 'Ré"sumé; x.txt';
      const id = await upload(app.key, { content: 'plain words', name, type: 'text/plain' });
      const inline = await preview(app.key, id);
      expect(inline.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      for (const query of ['?as_attachment=true', '?as_attachment=TRUE', '?as_attachment=1']) {
        const res = await preview(app.key, id, query);
        expect(res.status).toBe(200);
        expect(res.body.toString()).toBe('plain words');
        expect(res.headers.get('content-type')).toBe('application/octet-stream');
        const disposition = res.headers.get('content-disposition')!;
        expect(disposition).toBe(`attachment; filename="R__sum__ x.txt"; filename*=UTF-8''R%C3%A9%22sum%C3%A9%3B%20x.txt`);
        expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toBe(name);
      }
      expect((await preview(app.key, id, '?as_attachment=false')).headers.get('content-disposition')).toBeNull();
      expect((await preview(app.key, id, '?as_attachment=maybe')).json).toMatchObject({ code: 'invalid_param', status: 400 });
      expect((await preview(app.key, id, '?as_attachment=true&as_attachment=false')).json).toMatchObject({
        code: 'invalid_param',
        status: 400,
      });
    });

    it('never serves uploaded HTML or SVG as something a browser runs, nor trusts the type the uploader claimed', async () => {
      const script = '<script>fetch("/v1/info",{headers:{authorization:"Bearer "+localStorage.k}})</script>';
      const html = await upload(app.key, { content: `<html><body>${script}</body></html>`, name: 'page.html', type: 'text/html' });
      const svg = await upload(app.key, {
        content: `<svg xmlns="http://www.w3.org/2000/svg">${script}</svg>`,
        name: 'logo.svg',
        type: 'image/svg+xml',
      });
      for (const id of [html, svg]) {
        const res = await preview(app.key, id);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/octet-stream');
        expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toContain('sandbox');
      }
      // An upload named .png but declared (and written) as HTML is served as an image, never as text/html.
      const disguised = await upload(app.key, { content: `<html>${script}</html>`, name: 'innocent.png', type: 'text/html' });
      const res = await preview(app.key, disguised);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('answers 404 file_not_found for another workspace`s or another app`s file and unknown ids, and Flask`s 404 for forged ids', async () => {
      const id = await upload(app.key, { content: PNG, name: 'private.png', type: 'image/png' });
      const fileNotFound = { code: 'file_not_found', message: 'The requested file was not found.', status: 404 };
      expect((await preview(otherWorkspaceApp.key, id)).json).toEqual(fileNotFound);
      expect((await preview(silentApp.key, id)).json).toEqual(fileNotFound);
      expect((await preview(app.key, randomUUID())).json).toEqual(fileNotFound);
      // The other workspace's own upload is not reachable the other way round either.
      const theirs = await upload(otherWorkspaceApp.key, { content: PNG, name: 'theirs.png', type: 'image/png' });
      expect((await preview(app.key, theirs)).json).toEqual(fileNotFound);
      expect((await preview(otherWorkspaceApp.key, theirs)).status).toBe(200);
      for (const forged of ['not-a-uuid', `${id}x`, "1'%20OR%20'1'='1", '..%2F..%2Fetc%2Fpasswd']) {
        const res = await preview(app.key, forged);
        expect(res.status).toBe(404);
        expect(res.json).toEqual({ code: 'not_found', message: FLASK_NOT_FOUND, status: 404 });
      }
      expect((await preview(undefined, id)).status).toBe(401);
      expect((await preview('app-forged-key', id)).status).toBe(401);
    });

    it('does not serve a knowledge document of the same workspace to an app key, nor any file to a dataset key', async () => {
      const datasetKey = (await client.call<{ token: string }>('POST', '/console/api/datasets/api-keys', { token: owner })).body.token;
      const dataset = await client.call('POST', '/v1/datasets', {
        body: { indexing_technique: 'economy', name: 'preview-kb' },
        token: datasetKey,
      });
      expect(dataset.status).toBe(200);
      const doc = new FormData();
      doc.append('file', new Blob(['confidential knowledge'], { type: 'text/plain' }), 'kb-secret.txt');
      doc.append('data', JSON.stringify({ indexing_technique: 'economy', process_rule: { mode: 'automatic' } }));
      const created = await send(`${base()}/v1/datasets/${String(dataset.body['id'])}/document/create-by-file`, {
        body: doc,
        key: datasetKey,
        method: 'POST',
      });
      expect(created.status).toBe(200);
      const [row] = await queryDatabase<{ id: string }>(
        stack.database.url,
        `SELECT id FROM gateway.upload_files WHERE created_by_role = 'account' AND name = 'kb-secret.txt'`,
      );
      expect((await preview(app.key, row!.id)).json).toEqual({
        code: 'file_not_found',
        message: 'The requested file was not found.',
        status: 404,
      });
      const own = await upload(app.key, { content: 'mine', name: 'mine.txt', type: 'text/plain' });
      expect((await preview(datasetKey, own)).status).toBe(401);
    });
  });

  it('documents the three routes in OpenAPI, with the multipart form and the binary answers', async () => {
    const document = (await (await fetch(`${base()}/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> }
        >
      >;
    };
    expect(Object.keys(document.paths['/v1/audio-to-text']!['post']!.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(document.paths['/v1/audio-to-text']!['post']!.responses['200']!.content).toHaveProperty('application/json');
    expect(document.paths['/v1/text-to-audio']!['post']!.responses['200']!.content).toHaveProperty('audio/mpeg');
    expect(document.paths['/v1/files/{fileId}/preview']!['get']!.responses['200']!.content).toHaveProperty('application/octet-stream');
    for (const [path, method] of [
      ['/v1/audio-to-text', 'post'],
      ['/v1/text-to-audio', 'post'],
      ['/v1/files/{fileId}/preview', 'get'],
    ] as const)
      expect(document.paths[path]![method]!.responses['404']).toBeDefined();
  });
});
