import {
  chooseVoice,
  SPEECH_INPUT_LIMIT,
  SPEECH_PROVIDERS,
  speakText,
  speechTarget,
  splitForSpeech,
  transcribeSpeech,
  type SpeechProvider,
  type SpeechTarget,
  type SsrfGuard,
} from '@weft/outbound-http';
import { isFileValue } from '@weft/workflow';
import { blob, text, ToolInvokeError, type ToolCallContext, type ToolMessage } from '../tool-runtime.types';

// The `audio` provider (Dify's built-in `tts` and `asr`): speech through the workspace's OpenAI or
// OpenAI-compatible model credentials, with the client the gateway's audio routes use. `model` is Dify's
// `provider#model`; the voice of that model is the parameter `voice#provider#model`.

/** The provider and model of a `provider#model` value (`langgenius/openai/openai#tts-1` reads as `openai`). */
export function speechModel(value: unknown): { model: string; provider: SpeechProvider } {
  const [provider = '', model = '', ...rest] = String(value ?? '').split('#');
  const short = provider.split('/').pop()!.trim().toLowerCase();
  if (!short || !model.trim() || rest.length > 0) {
    throw new ToolInvokeError(`the model parameter must be "provider#model" (e.g. "openai#tts-1"), not "${String(value ?? '')}"`);
  }
  if (!(SPEECH_PROVIDERS as readonly string[]).includes(short)) {
    throw new ToolInvokeError(`Provider ${short} does not support speech; use openai or openai_api_compatible.`);
  }
  return { model: model.trim(), provider: short as SpeechProvider };
}

async function target(provider: SpeechProvider, ctx: ToolCallContext): Promise<SpeechTarget> {
  if (!ctx.job) throw new ToolInvokeError('the audio tools run only inside a workflow job');
  const found = speechTarget(provider, (await ctx.job.modelCredentials(provider)) ?? {});
  if (!found) {
    throw new ToolInvokeError(
      `provider_not_initialize: the workspace has no credentials of ${provider}; save them with PUT /console/api/workspaces/current/model-providers/${provider}`,
    );
  }
  return found;
}

/** `tts`: the text read aloud (MP3), as a text message and the audio file. */
export async function textToSpeech(params: Record<string, unknown>, ctx: ToolCallContext, guard: SsrfGuard): Promise<ToolMessage[]> {
  const { model, provider } = speechModel(params['model']);
  const input = typeof params['text'] === 'string' ? params['text'] : String(params['text'] ?? '');
  const pieces = splitForSpeech(input, SPEECH_INPUT_LIMIT);
  if (pieces.length === 0) throw new ToolInvokeError('text is required');
  const endpoint = await target(provider, ctx);
  const requested = params[`voice#${String(params['model'])}`];
  const voice = chooseVoice(provider, typeof requested === 'string' ? requested : undefined, undefined);
  const chunks: Buffer[] = [];
  try {
    // MP3 frames of consecutive pieces play as one recording.
    for (const piece of pieces) {
      for await (const chunk of await speakText(endpoint, model, piece, voice, { guard, signal: ctx.signal })) chunks.push(chunk);
    }
  } catch (error) {
    throw new ToolInvokeError((error as Error).message);
  }
  // Dify labels the audio `audio/x-wav` whatever the model answered; it is MP3 here, so it says so.
  return [text('Audio generated successfully'), blob(Buffer.concat(chunks), { mime_type: 'audio/mpeg' })];
}

/** `asr`: the text of an audio file. A file that is not audio answers Dify's message instead. */
export async function speechToText(params: Record<string, unknown>, ctx: ToolCallContext, guard: SsrfGuard): Promise<ToolMessage[]> {
  // A `files` output of one file (another tool's, a start variable's list) stands for that file.
  const given = params['audio_file'];
  const file = Array.isArray(given) && given.length === 1 ? (given[0] as unknown) : given;
  if (!isFileValue(file)) throw new ToolInvokeError('audio_file must be a file');
  if (file.type !== 'audio') return [text('not a valid audio file')];
  const { model, provider } = speechModel(params['model']);
  const endpoint = await target(provider, ctx);
  const audio = await ctx.job!.readFile(file);
  try {
    const transcript = await transcribeSpeech(
      endpoint,
      model,
      { content: audio.body, contentType: audio.contentType ?? file.mime_type ?? 'application/octet-stream', filename: audio.name },
      { guard, signal: ctx.signal },
    );
    return [text(transcript)];
  } catch (error) {
    throw new ToolInvokeError((error as Error).message);
  }
}
