import { MAX_TOOL_FILES_PER_CALL } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import { createSsrfGuard } from '@weft/outbound-http';
import { startTestHttpServer, type TestHttpServer } from '@weft/testing';
import { FILE_MODEL_IDENTITY, type WorkflowFile } from '@weft/workflow';
import { WorkflowFileReader } from '../../files/workflow-file-reader.service';
import { invokeTool, ToolRegistry, type ResolvedTool, type ToolJobContextFactory } from '../../tools/tool-registry.service';
import { blob, text } from '../../tools/tool-runtime.types';
import { failureOf, outputsOf, testConfig, testContext, testJob, testToolFiles, testUploads } from '../node-test.util';
import { foldToolMessages, ToolExecutor } from './tool.executor';

const http = { guard: createSsrfGuard({ allowedHosts: ['127.0.0.1'] }), maxResponseBytes: 100_000, timeoutMs: 5_000 };
const SCOPE = { appId: '7d2c1a8e-5b4f-4c3d-9e2a-1f0b3c4d5e6f', conversationId: null, workspaceId: '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6' };
const MP3 = Buffer.from([0xff, 0xfb, 0x90, 0x64, 1, 2, 3, 4, 5]);

function toolAnswering(messages: ReturnType<typeof blob>[]): ResolvedTool {
  return { credentials: {}, runtime: { invoke: () => Promise.resolve(messages), spec: { description: '', name: 't', parameters: [] } } };
}

describe('tool files', () => {
  it('folds a stored file into `files` only, leaving `text` to the text messages, as Dify does', () => {
    const file: WorkflowFile = { related_id: 'f1', transfer_method: 'tool_file', type: 'image' };
    expect(foldToolMessages([text('done'), { file, type: 'file' }, { type: 'link', url: 'https://x' }])).toEqual({
      files: [file],
      json: [],
      text: 'done' + 'Link: https://x\n',
    });
  });

  it('stores each blob of a call as a tool file of the job and hands on its Dify File value', async () => {
    const files = testToolFiles();
    const messages = await invokeTool(
      toolAnswering([text('Audio generated successfully'), blob(MP3, { mime_type: 'audio/mpeg' })]),
      {},
      http,
      new AbortController().signal,
      { files, scope: SCOPE, services: { modelCredentials: () => Promise.resolve(null), readFile: () => Promise.reject(new Error('no')) } },
    );
    expect(files.saved).toHaveLength(1);
    expect(files.saved[0]!.scope).toEqual(SCOPE);
    expect(files.saved[0]!.bytes).toEqual(MP3);
    const id = files.saved[0]!.id;
    expect(messages).toEqual([
      { text: 'Audio generated successfully', type: 'text' },
      {
        file: {
          dify_model_identity: FILE_MODEL_IDENTITY,
          extension: '.mp3',
          filename: `${id.replace(/-/g, '')}.mp3`,
          id: null,
          mime_type: 'audio/mpeg',
          related_id: id,
          remote_url: null,
          size: MP3.length,
          transfer_method: 'tool_file',
          type: 'audio',
          url: `/files/tools/${id}.mp3?sign=test`,
        },
        type: 'file',
      },
    ]);
  });

  it(`refuses more than ${MAX_TOOL_FILES_PER_CALL} files in one call, and files outside a job`, async () => {
    const files = testToolFiles();
    const services = { modelCredentials: () => Promise.resolve(null), readFile: () => Promise.reject(new Error('no')) };
    const many = Array.from({ length: MAX_TOOL_FILES_PER_CALL + 1 }, () => blob(MP3, { mime_type: 'audio/mpeg' }));
    await expect(
      invokeTool(toolAnswering(many), {}, http, new AbortController().signal, { files, scope: SCOPE, services }),
    ).rejects.toThrow(/at most 10/);
    expect(files.saved).toHaveLength(0);
    await expect(invokeTool(toolAnswering([blob(MP3, {})]), {}, http, new AbortController().signal)).rejects.toThrow(
      /outside a workflow job/,
    );
  });
});

describe('WorkflowFileReader and tool files', () => {
  it("reads a tool_file File by its related_id, only within the job's workspace", async () => {
    const files = testToolFiles();
    const saved = await files.save(SCOPE, Buffer.from('hello'), { filename: 'note.txt', mimeType: 'text/plain' });
    const reader = new WorkflowFileReader({
      guard: http.guard,
      maxResponseBytes: 1000,
      timeoutMs: 1000,
      toolFiles: files,
      uploads: testUploads(),
    });
    const signal = new AbortController().signal;
    const read = await reader.read(saved, SCOPE.workspaceId, signal);
    expect(read).toMatchObject({ body: Buffer.from('hello'), contentType: 'text/plain', name: 'note.txt' });
    await expect(reader.read(saved, '2f3e4d5c-6b7a-4899-8a0b-c1d2e3f4a5b6', signal)).rejects.toThrow(/tool file ".*" not found/);
    await expect(reader.read({ transfer_method: 'tool_file' }, SCOPE.workspaceId, signal)).rejects.toThrow(/names no tool file/);
  });
});

describe('the audio tools, against a fake OpenAI speech server', () => {
  let server: TestHttpServer;
  const seen: { auth?: string; body: Buffer; url: string }[] = [];
  beforeAll(async () => {
    server = await startTestHttpServer((req, res) => {
      seen.push({ auth: req.headers.authorization, body: req.body, url: req.url ?? '' });
      if (req.url === '/v1/audio/speech') {
        const { input } = JSON.parse(req.body.toString()) as { input: string };
        if (input === 'refuse') {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: 'Incorrect API key sk-abcdef123456' } }));
          return;
        }
        res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(MP3);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'hello from the recording' }));
    });
  });
  afterAll(() => server.close());

  function setup(credentials: Record<string, string> | null) {
    const registry = new ToolRegistry({} as MessageBus, testConfig());
    const files = testToolFiles();
    const uploads = testUploads();
    const reader = new WorkflowFileReader({ guard: http.guard, maxResponseBytes: 100_000, timeoutMs: 5_000, toolFiles: files, uploads });
    const asked: string[] = [];
    const factory: ToolJobContextFactory = (job, conversationId, signal) => ({
      files,
      scope: { appId: job.appId, conversationId, workspaceId: job.workspaceId },
      services: {
        modelCredentials: (provider) => {
          asked.push(provider);
          return Promise.resolve(credentials);
        },
        readFile: (file) => reader.read(file, job.workspaceId, signal),
      },
    });
    return { asked, executor: new ToolExecutor(registry, http, factory), files };
  }

  const ttsNode = (input: string) => ({
    provider_id: 'audio',
    provider_type: 'builtin',
    tool_configurations: { model: 'openai_api_compatible#tts-1', 'voice#openai_api_compatible#tts-1': 'nova' },
    tool_name: 'tts',
    tool_parameters: { text: { type: 'mixed', value: input } },
  });

  it('tts: speaks the text with the chosen voice and answers the audio as a tool file in `files`', async () => {
    const { asked, executor, files } = setup({ api_key: 'sk-test-key', endpoint_url: `${server.url}/v1` });
    const job = testJob('tool', ttsNode('Hello there'));
    const outputs = outputsOf(await executor.execute(job, testContext(job)));
    expect(asked).toEqual(['openai_api_compatible']);
    const request = seen.find((r) => r.url === '/v1/audio/speech')!;
    expect(JSON.parse(request.body.toString())).toEqual({ input: 'Hello there', model: 'tts-1', response_format: 'mp3', voice: 'nova' });
    expect(request.auth).toBe('Bearer sk-test-key');
    expect(outputs['text']).toBe('Audio generated successfully');
    const [file] = outputs['files'] as WorkflowFile[];
    expect(file).toMatchObject({
      extension: '.mp3',
      mime_type: 'audio/mpeg',
      transfer_method: 'tool_file',
      type: 'audio',
      size: MP3.length,
    });
    expect(files.saved[0]!.bytes).toEqual(MP3);

    // asr reads that tool file back (within the workspace) and transcribes it.
    const asrJob = testJob(
      'tool',
      {
        provider_id: 'audio',
        provider_type: 'builtin',
        tool_configurations: { model: 'openai_api_compatible#whisper-1' },
        tool_name: 'asr',
        tool_parameters: { audio_file: { type: 'variable', value: ['tts', 'files', '0'] } },
      },
      { tts: { files: outputs['files'] } },
    );
    const transcript = outputsOf(await executor.execute(asrJob, testContext(asrJob)));
    expect(transcript['text']).toBe('hello from the recording');
    const upload = seen.find((r) => r.url === '/v1/audio/transcriptions')!;
    expect(upload.body.includes(MP3)).toBe(true);
  });

  it('fails the node with a clear error: no credentials, a bad model value, a refused call (key masked)', async () => {
    const none = setup(null);
    const job = testJob('tool', ttsNode('Hello'));
    expect(failureOf(await none.executor.execute(job, testContext(job))).error).toMatch(
      /provider_not_initialize: the workspace has no credentials/,
    );
    const bad = setup({ endpoint_url: `${server.url}/v1` });
    const badJob = testJob('tool', { ...ttsNode('Hello'), tool_configurations: { model: 'anthropic#claude' } });
    expect(failureOf(await bad.executor.execute(badJob, testContext(badJob))).error).toMatch(/Provider anthropic does not support speech/);
    const refusedJob = testJob('tool', ttsNode('refuse'));
    const refused = failureOf(await bad.executor.execute(refusedJob, testContext(refusedJob)));
    expect(refused.error).toContain('Error code: 401');
    expect(refused.error).not.toContain('abcdef123456');
  });

  it('asr: a file that is not audio answers Dify`s message', async () => {
    const { executor } = setup({ endpoint_url: `${server.url}/v1` });
    const job = testJob(
      'tool',
      {
        provider_id: 'audio',
        provider_type: 'builtin',
        tool_configurations: { model: 'openai_api_compatible#whisper-1' },
        tool_name: 'asr',
        tool_parameters: { audio_file: { type: 'variable', value: ['start', 'doc'] } },
      },
      { start: { doc: { related_id: 'x', transfer_method: 'local_file', type: 'document' } } },
    );
    expect(outputsOf(await executor.execute(job, testContext(job)))['text']).toBe('not a valid audio file');
  });
});
