import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DslBuilder, pollUntil, TestStack, WeftClient } from '@weft/testing';

// Files tools produce, through the public API: a Dify export with the built-in audio tools is imported and
// run against a fake OpenAI speech server; the tts node's `files` output reaches the end node as Dify File
// values whose signed link (`/files/tools/{id}.mp3?timestamp&nonce&sign`) serves the exact bytes; asr reads
// that tool file downstream; forged, expired and other files' signatures are refused, and a run of another
// workspace cannot read the file by its id.

const STACK_START_TIMEOUT_MS = 120_000;
const STACK_STOP_TIMEOUT_MS = 60_000;
/** The fake speech server listens on 127.0.0.2, the one private address the stack's PROVIDER_ALLOWED_HOSTS admits. */
const ALLOWED_HOST = '127.0.0.2';
const SPEECH_KEY = 'sk-tool-files-e2e-0123456789';
const LINK_TTL_SECONDS = 20;
const AUDIO_APP = readFileSync(join(__dirname, 'fixtures', 'dify-audio-tools-workflow.yml'), 'utf8');
const MP3_HEADER = Buffer.from([0xff, 0xfb, 0x90, 0x64]);

/** What OpenAI's `/v1/audio/speech` streams for this voice and input (a frame header, then `<voice>|<input>`). */
const spoken = (voice: string, input: string) => Buffer.concat([MP3_HEADER, Buffer.from(`${voice}|${input}`, 'utf8')]);

/** OpenAI's audio endpoints: speech answers MP3 bytes, transcriptions answer `{text}` naming what was sent. */
async function startSpeechServer(): Promise<{ server: Server; url: string; transcribed: Buffer[] }> {
  const transcribed: Buffer[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(parts);
        if (req.headers.authorization !== `Bearer ${SPEECH_KEY}`) {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: 'Incorrect API key provided.' } }));
          return;
        }
        if (req.url === '/v1/audio/speech') {
          const { input, voice } = JSON.parse(body.toString('utf8')) as { input: string; voice: string };
          res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(spoken(voice, input));
          return;
        }
        if (req.url === '/v1/audio/transcriptions') {
          const form = await new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
          const file = form.get('file') as File;
          const bytes = Buffer.from(await file.arrayBuffer());
          transcribed.push(bytes);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ text: `heard ${bytes.length} bytes of ${file.type} with ${String(form.get('model'))}` }));
          return;
        }
        res.writeHead(404).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, ALLOWED_HOST, resolve));
  return { server, transcribed, url: `http://${ALLOWED_HOST}:${(server.address() as AddressInfo).port}` };
}

/**
 * start(id) → code (builds a tool_file File naming that id, as tenant code could) → document-extractor: what a
 * workflow that forges a reference to a tool file gets.
 */
function forgedReferenceApp(): string {
  return new DslBuilder('forged tool file')
    .node('start', 'start', { variables: [{ label: 'id', max_length: 100, required: true, type: 'text-input', variable: 'id' }] })
    .node('code', 'code', {
      code: 'function main({id}) { return { f: { transfer_method: "tool_file", related_id: id, type: "document", filename: "stolen.txt", extension: ".txt" } }; }',
      code_language: 'javascript',
      outputs: { f: { children: null, type: 'object' } },
      variables: [{ value_selector: ['start', 'id'], variable: 'id' }],
    })
    .node('extract', 'document-extractor', { is_array_file: false, variable_selector: ['code', 'f'] })
    .node('end', 'end', { outputs: [{ value_selector: ['extract', 'text'], variable: 'text' }] })
    .chain('start', 'code', 'extract', 'end')
    .toYaml();
}

/** One tool node calling `tool` with `params`, its outputs at the end. */
function oneToolApp(provider: string, tool: string, params: Record<string, unknown>): string {
  return new DslBuilder(`${provider} ${tool}`)
    .node('start', 'start', { variables: [] })
    .node('tool', 'tool', {
      provider_id: provider,
      provider_type: 'builtin',
      tool_configurations: {},
      tool_name: tool,
      tool_parameters: params,
    })
    .node('end', 'end', {
      outputs: [
        { value_selector: ['tool', 'text'], variable: 'text' },
        { value_selector: ['tool', 'files'], variable: 'files' },
      ],
    })
    .chain('start', 'tool', 'end')
    .toYaml();
}

type FileValue = Record<string, unknown> & { related_id: string; url: string };

describe('tool files', () => {
  let stack: TestStack;
  let client: WeftClient;
  let speech: Awaited<ReturnType<typeof startSpeechServer>>;
  let storageDir: string;
  let owner: string;
  let stranger: string;
  let app: { appId: string; key: string };
  let audio: FileValue;

  const base = () => stack.gateway.baseUrl;
  const data = (res: { body: Record<string, unknown> }) => res.body['data'] as Record<string, unknown>;

  beforeAll(async () => {
    speech = await startSpeechServer();
    storageDir = await mkdtemp(join(tmpdir(), 'weft-tool-files-'));
    stack = await TestStack.create({
      env: {
        FILES_ACCESS_TIMEOUT: String(LINK_TTL_SECONDS),
        PROVIDER_ALLOWED_HOSTS: ALLOWED_HOST,
        STORAGE_LOCAL_PATH: storageDir,
        STORAGE_TYPE: 'local',
      },
    });
    await stack.start();
    client = new WeftClient(stack.gateway.baseUrl);
    owner = await client.register();
    stranger = await client.register();
    const saved = await client.call('PUT', '/console/api/workspaces/current/model-providers/openai', {
      body: { credentials: { openai_api_base: speech.url, openai_api_key: SPEECH_KEY } },
      token: owner,
    });
    expect(saved.status).toBe(200);
    app = await client.deploy(owner, AUDIO_APP);
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.destroy();
    speech?.server.close();
    if (storageDir) await rm(storageDir, { force: true, recursive: true });
  }, STACK_STOP_TIMEOUT_MS);

  it('imports the Dify export with no warning about its audio tools', async () => {
    const imported = await client.importApp(owner, AUDIO_APP);
    expect(imported.status).toBe(200);
    // The one warning is the export's DSL version (0.3.1), as for every 1.x export.
    expect(imported.body).toMatchObject({ status: 'completed-with-warnings' });
    expect(JSON.stringify(imported.body)).toContain('DSL version 0.3.1');
    expect(JSON.stringify(imported.body)).not.toMatch(/does not provide|no such tool|will fail/);
  });

  it("answers tts's audio in the tool node's `files` output, and asr downstream reads that tool file", async () => {
    const res = await client.run(app.key, { text: 'Warp and weft' });
    expect(res.status).toBe(200);
    expect(data(res)).toMatchObject({ status: 'succeeded' });
    const outputs = data(res)['outputs'] as Record<string, unknown>;
    expect(outputs['status']).toBe('Audio generated successfully');
    const files = outputs['audio'] as FileValue[];
    expect(files).toHaveLength(1);
    audio = files[0]!;
    const expected = spoken('nova', 'Warp and weft');
    expect(audio).toMatchObject({
      dify_model_identity: '__dify__file__',
      extension: '.mp3',
      mime_type: 'audio/mpeg',
      related_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      size: expected.length,
      transfer_method: 'tool_file',
      type: 'audio',
    });
    expect(audio.url).toMatch(
      new RegExp(`^/files/tools/${audio.related_id}\\.mp3\\?timestamp=\\d+&nonce=[0-9a-f]{32}&sign=[A-Za-z0-9_=-]+$`),
    );
    // Streamed, Dify's node_finished of tts and workflow_finished list the files among their outputs (by id: each
    // run makes its own audio).
    const streamed = await client.stream(app.key, { text: 'Warp and weft' });
    const finished = (event: string, nodeId?: string) =>
      streamed.events.find((e) => e['event'] === event && (!nodeId || (e['data'] as Record<string, unknown>)['node_id'] === nodeId))!;
    const listed = (event: Record<string, unknown>) =>
      ((event['data'] as Record<string, unknown>)['files'] as FileValue[]).map((f) => f.type);
    expect(listed(finished('node_finished', '1745400000002'))).toEqual(['audio']);
    expect(listed(finished('node_finished', '1745400000003'))).toEqual([]);
    expect(listed(finished('workflow_finished'))).toEqual(['audio']);
    const streamedOutputs = (finished('workflow_finished')['data'] as Record<string, unknown>)['outputs'] as Record<string, FileValue[]>;
    expect((finished('workflow_finished')['data'] as Record<string, unknown>)['files']).toEqual(streamedOutputs['audio']);
    // asr got the very bytes tts stored, through the tool file.
    expect(outputs['transcript']).toBe(`heard ${expected.length} bytes of audio/mpeg with whisper-1`);
    expect(speech.transcribed.at(-1)).toEqual(expected);

    const download = await fetch(`${base()}${audio.url}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(expected);
    expect(download.headers.get('content-type')).toBe('audio/mpeg');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toBeNull();
    const attachment = await fetch(`${base()}${audio.url}&as_attachment=true`);
    expect(attachment.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${String(audio['filename'])}`);
  });

  it("refuses forged signatures, another file's signature and unsigned links, in Dify's shape", async () => {
    const link = new URL(audio.url, base());
    const forged = new URL(link);
    forged.searchParams.set(
      'sign',
      `${link.searchParams.get('sign')!.startsWith('A') ? 'B' : 'A'}${link.searchParams.get('sign')!.slice(1)}`,
    );
    const otherFile = new URL(link.href.replace(audio.related_id, '0b4d7c1e-8f7a-4c39-9a55-2f6d3c1b9e10'));
    const laterStamp = new URL(link);
    laterStamp.searchParams.set('timestamp', String(Number(link.searchParams.get('timestamp')) + 1));
    for (const bad of [forged, otherFile, laterStamp]) {
      const res = await fetch(bad);
      expect({ url: bad.href, status: res.status, body: await res.json() }).toEqual({
        body: { code: 'forbidden', message: 'Invalid request.', status: 403 },
        status: 403,
        url: bad.href,
      });
    }
    expect((await fetch(`${link.origin}${link.pathname}`)).status).toBe(400);
    expect((await fetch(`${base()}/files/tools/not-a-file.mp3${link.search}`)).status).toBe(404);
  });

  it("does not let a run of another workspace read the tool file by its id, while the owner's run can", async () => {
    const foreign = await client.deploy(stranger, forgedReferenceApp());
    const refused = await client.run(foreign.key, { id: audio.related_id });
    expect(data(refused)).toMatchObject({ status: 'failed' });
    expect(String(data(refused)['error'])).toContain(`tool file "${audio.related_id}" not found`);
    const own = await client.deploy(owner, forgedReferenceApp());
    const read = await client.run(own.key, { id: audio.related_id });
    // The owner's workflow reads the file; an MP3 has no text to extract, which is a different failure.
    expect(String(data(read)['error'] ?? '')).not.toContain('not found');
  });

  it('keeps the regex tool text only, and fails a tts node with a clear error without credentials', async () => {
    const regex = await client.deploy(
      owner,
      oneToolApp('regex', 'regex_extract', {
        content: { type: 'constant', value: 'order 12 and 345' },
        expression: { type: 'constant', value: '\\d+' },
      }),
    );
    const found = await client.run(regex.key, {});
    expect(data(found)['outputs']).toEqual({ files: [], text: "['12', '345']" });
    const tts = await client.deploy(
      stranger,
      oneToolApp('audio', 'tts', { model: { type: 'constant', value: 'openai#tts-1' }, text: { type: 'constant', value: 'hi' } }),
    );
    const failed = await client.run(tts.key, {});
    expect(data(failed)).toMatchObject({ status: 'failed' });
    expect(String(data(failed)['error'])).toContain('provider_not_initialize');
  });

  it(
    'stops serving a link once FILES_ACCESS_TIMEOUT has passed',
    async () => {
      const url = `${base()}${audio.url}`;
      await pollUntil(async () => (await fetch(url)).status === 403, {
        intervalMs: 1000,
        timeoutMs: (LINK_TTL_SECONDS + 10) * 1000,
        what: 'tool file link expired',
      });
    },
    (LINK_TTL_SECONDS + 20) * 1000,
  );
});
