import { RemoteError } from '@weft/contracts';
import type { MessageBus } from '@weft/messaging';
import type { AppService } from '../apps/app.service';
import type { AppKeyContext } from '../service-api/app-key.guard';
import type { EndUserService } from '../service-api/end-user.service';
import type { SpeechTarget } from '@weft/outbound-http';
import { AudioService } from './audio.service';
import type { SpeechProviderRepository } from './speech-provider.repository';

const MESSAGE_ID = '3f2c1a7e-1b2c-4d5e-8f90-123456789abc';

// Unit test of the service's decisions; the bus, the credentials and the provider are stand-ins here (the
// end-to-end test `test/e2e/audio-and-preview.e2e-spec.ts` runs the same through the real stack).
function setup(opts: {
  features?: Record<string, unknown> | 'unpublished';
  credentials?: Record<string, Record<string, string>>;
  answers?: { answer: string; status: string }[];
}) {
  const calls: { kind: string; args: unknown[] }[] = [];
  const answers = [...(opts.answers ?? [])];
  const bus = {
    request: async (subject: string, payload: Record<string, unknown>) => {
      calls.push({ kind: subject, args: [payload] });
      if (subject === 'wf.workflow.start-form.v1') {
        if (opts.features === 'unpublished') {
          throw new RemoteError({ code: 'not_found', correlationId: 'c', message: 'Workflow not found.' }, subject);
        }
        return { features: opts.features ?? {}, variables: [], workflowId: MESSAGE_ID };
      }
      if (subject === 'wf.message.answer.v1') {
        const next = answers.shift();
        if (!next) throw new RemoteError({ code: 'not_found', correlationId: 'c', message: 'Message Not Exists.' }, subject);
        return next;
      }
      throw new Error(`unexpected subject ${subject}`);
    },
  } as unknown as MessageBus;
  const apps = {
    providerCredentials: async (_workspaceId: string, provider: string) => opts.credentials?.[provider] ?? null,
  } as unknown as AppService;
  const endUsers = { resolve: async () => 'e7a1f3d2-0000-4000-8000-000000000001' } as unknown as EndUserService;
  const speech = {
    transcribe: async (target: SpeechTarget, model: string) => {
      calls.push({ kind: 'transcribe', args: [target, model] });
      return 'the transcript';
    },
    speak: async (target: SpeechTarget, model: string, input: string, voice: string) => {
      calls.push({ kind: 'speak', args: [target, model, input, voice] });
      return (async function* () {
        yield Buffer.from(`[${input}]`);
      })();
    },
  } as unknown as SpeechProviderRepository;
  const service = new AudioService(bus, apps, endUsers, speech, { maxMb: 1 });
  return { calls, service };
}

const ctx = { app: { id: 'a1', workspaceId: 'w1' }, keyId: 'k1' } as unknown as AppKeyContext;
const wav = (bytes = 10) => ({ buffer: Buffer.alloc(bytes, 1), fieldName: 'file', mimeType: 'audio/wav' });
const OPENAI = { openai: { openai_api_base: 'http://speech.test', openai_api_key: 'sk-1' } };

async function text(chunks: AsyncIterable<Buffer>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk.toString();
  return out;
}

describe('AudioService.transcribe', () => {
  const on = { speech_to_text: { enabled: true } };

  it('transcribes with whisper-1 through the workspace`s openai credentials', async () => {
    const { calls, service } = setup({ credentials: OPENAI, features: on });
    await expect(service.transcribe(ctx, { files: [wav()], user: 'u' })).resolves.toEqual({ text: 'the transcript' });
    const call = calls.find((c) => c.kind === 'transcribe')!;
    expect(call.args).toEqual([{ apiKey: 'sk-1', baseUrl: 'http://speech.test/v1', provider: 'openai' }, 'whisper-1']);
  });

  it('refuses when the feature is off, or the app has no published workflow, as Dify does', async () => {
    for (const features of [{}, { speech_to_text: { enabled: false } }, 'unpublished' as const]) {
      const { service } = setup({ credentials: OPENAI, features });
      await expect(service.transcribe(ctx, { files: [wav()], user: 'u' })).rejects.toMatchObject({
        code: 'invalid_param',
        message: 'Speech to text is not enabled',
      });
    }
  });

  it('refuses no file, an empty file, a file under another field, a non-audio type and an oversized file', async () => {
    const { calls, service } = setup({ credentials: OPENAI, features: on });
    const cases: [ReturnType<typeof wav>[], string][] = [
      [[], 'no_audio_uploaded'],
      [[wav(0)], 'no_audio_uploaded'],
      [[{ ...wav(), fieldName: 'audio' }], 'no_audio_uploaded'],
      [[{ ...wav(), mimeType: 'application/octet-stream' }], 'unsupported_audio_type'],
      [[{ ...wav(), mimeType: 'text/html' }], 'unsupported_audio_type'],
      [[wav(1024 * 1024 + 1)], 'audio_too_large'],
    ];
    for (const [files, code] of cases) await expect(service.transcribe(ctx, { files, user: 'u' })).rejects.toMatchObject({ code });
    expect(calls.filter((c) => c.kind === 'transcribe')).toHaveLength(0);
  });

  it('falls back to openai_api_compatible, and uses the provider and model the feature names', async () => {
    const compatible = { openai_api_compatible: { endpoint_url: 'http://whisper.local/v1' } };
    const first = setup({ credentials: compatible, features: on });
    await first.service.transcribe(ctx, { files: [wav()], user: 'u' });
    expect(first.calls.find((c) => c.kind === 'transcribe')!.args[0]).toMatchObject({ baseUrl: 'http://whisper.local/v1' });

    const named = setup({
      credentials: { ...OPENAI, ...compatible },
      features: { speech_to_text: { enabled: true, model: 'Systran/faster-whisper-small', provider: 'openai_api_compatible' } },
    });
    await named.service.transcribe(ctx, { files: [wav()], user: 'u' });
    expect(named.calls.find((c) => c.kind === 'transcribe')!.args).toEqual([
      { apiKey: undefined, baseUrl: 'http://whisper.local/v1', provider: 'openai_api_compatible' },
      'Systran/faster-whisper-small',
    ]);
  });

  it('answers provider_not_support_speech_to_text without speech-capable credentials, or for a provider that cannot', async () => {
    for (const [credentials, features] of [
      [{}, on],
      [{ anthropic: { anthropic_api_key: 'x' } }, on],
      [OPENAI, { speech_to_text: { enabled: true, provider: 'langgenius/anthropic/anthropic' } }],
    ] as const) {
      const { service } = setup({ credentials, features });
      await expect(service.transcribe(ctx, { files: [wav()], user: 'u' })).rejects.toMatchObject({
        code: 'provider_not_support_speech_to_text',
        message: 'Provider not support speech to text.',
      });
    }
  });
});

describe('AudioService.speak', () => {
  const on = { text_to_speech: { enabled: true, voice: 'nova' } };

  it('speaks the text with tts-1 and the feature`s voice, a request`s voice winning', async () => {
    const { calls, service } = setup({ credentials: OPENAI, features: on });
    expect(await text(await service.speak(ctx, { text: 'Hi there.' }))).toBe('[Hi there.]');
    expect(calls.find((c) => c.kind === 'speak')!.args.slice(1)).toEqual(['tts-1', 'Hi there.', 'nova']);
    await service.speak(ctx, { text: 'Again.', voice: 'echo' });
    expect(calls.filter((c) => c.kind === 'speak')[1]!.args[3]).toBe('echo');
  });

  it('speaks long text piece by piece, in order, as one stream', async () => {
    const { calls, service } = setup({ credentials: OPENAI, features: on });
    const long = Array.from({ length: 600 }, (_, i) => `Line ${i}.`).join(' ');
    const audio = await text(await service.speak(ctx, { text: long }));
    const pieces = calls.filter((c) => c.kind === 'speak').map((c) => c.args[2] as string);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join(' ')).toBe(long);
    expect(audio).toBe(pieces.map((p) => `[${p}]`).join(''));
  });

  it('refuses when the feature is off, and refuses missing or blank text', async () => {
    await expect(setup({ credentials: OPENAI, features: {} }).service.speak(ctx, { text: 'x' })).rejects.toMatchObject({
      code: 'invalid_param',
      message: 'TTS is not enabled',
    });
    const { service } = setup({ credentials: OPENAI, features: on });
    for (const request of [{}, { text: null }, { text: '  ' }, { message_id: '', text: '' }])
      await expect(service.speak(ctx, request)).rejects.toMatchObject({ code: 'invalid_param', message: 'Text is required' });
  });

  it('answers provider_not_initialize when no text-to-speech provider is configured', async () => {
    await expect(setup({ features: on }).service.speak(ctx, { text: 'x' })).rejects.toMatchObject({ code: 'provider_not_initialize' });
  });

  it('reads a message`s answer aloud, waiting briefly for a turn still being answered', async () => {
    const { calls, service } = setup({
      answers: [
        { answer: '', status: 'running' },
        { answer: 'The stored answer.', status: 'normal' },
      ],
      credentials: OPENAI,
      features: on,
    });
    expect(await text(await service.speak(ctx, { message_id: MESSAGE_ID, text: 'ignored', user: 'ada' }))).toBe('[The stored answer.]');
    const asked = calls.filter((c) => c.kind === 'wf.message.answer.v1');
    expect(asked).toHaveLength(2);
    expect(asked[0]!.args[0]).toEqual({
      appId: 'a1',
      endUserId: 'e7a1f3d2-0000-4000-8000-000000000001',
      messageId: MESSAGE_ID,
      workspaceId: 'w1',
    });
  });

  it('refuses a message with no answer, and passes on not found for an unknown or malformed id', async () => {
    const failed = setup({ answers: [{ answer: '', status: 'error' }], credentials: OPENAI, features: on });
    await expect(failed.service.speak(ctx, { message_id: MESSAGE_ID })).rejects.toMatchObject({ code: 'invalid_param' });
    const unknown = setup({ credentials: OPENAI, features: on });
    await expect(unknown.service.speak(ctx, { message_id: MESSAGE_ID })).rejects.toMatchObject({
      code: 'not_found',
      message: 'Message Not Exists.',
    });
    await expect(unknown.service.speak(ctx, { message_id: 'not-a-uuid' })).rejects.toMatchObject({ code: 'not_found' });
    expect(unknown.calls.filter((c) => c.kind === 'wf.message.answer.v1')).toHaveLength(1);
  });
});
