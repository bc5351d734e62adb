import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUuid, MessageErrors, RemoteError } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { AppService } from '../apps/app.service';
import type { AppKeyContext } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { chooseVoice, SPEECH_PROVIDERS, speechTarget, splitForSpeech, type SpeechProvider, type SpeechTarget } from '@weft/outbound-http';
import {
  audioSubtype,
  DEFAULT_SPEECH_MODEL,
  DEFAULT_TRANSCRIPTION_MODEL,
  readSpeechFeature,
  shortProviderName,
  type SpeechFeature,
} from './audio-rules.util';
import { DEFAULT_AUDIO_USER, type AudioToTextResponse, type AudioUpload, type TextToAudioRequest } from './audio.dto';
import { AudioErrors } from './audio.exception';
import { SpeechProviderRepository } from './speech-provider.repository';

/** The audio routes' settings: the largest recording taken, in MB. */
export interface AudioSettings {
  maxMb: number;
}
export const AUDIO_SETTINGS = Symbol('AUDIO_SETTINGS');

const BYTES_PER_MB = 1024 * 1024;
// A message read aloud right after its stream ended may not have its answer stored yet (Dify retries too).
const ANSWER_ATTEMPTS = 3;
const ANSWER_RETRY_MS = 300;

/**
 * Dify's speech routes: a recording to text and text (or a message's answer) to MP3, through the
 * workspace's OpenAI or OpenAI-compatible credentials, when the app's `speech_to_text` / `text_to_speech`
 * feature is enabled. The gateway calls the provider itself: a recording of up to AUDIO_FILE_SIZE_LIMIT
 * would not fit a bus message, and the credentials are the gateway's to open.
 */
@Injectable()
export class AudioService {
  private readonly logger = new Logger(AudioService.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly apps: AppService,
    private readonly endUsers: EndUserService,
    private readonly speech: SpeechProviderRepository,
    @Inject(AUDIO_SETTINGS) private readonly settings: AudioSettings,
  ) {}

  async transcribe(ctx: AppKeyContext, upload: AudioUpload): Promise<AudioToTextResponse> {
    const feature = await this.feature(ctx, 'speech_to_text');
    if (!feature.enabled) throw AudioErrors.speechToTextDisabled();
    const file = upload.files.find((f) => f.fieldName === 'file');
    if (!file || file.buffer.length === 0) throw AudioErrors.noAudioUploaded();
    const subtype = audioSubtype(file.mimeType);
    if (!subtype) throw AudioErrors.unsupportedType();
    // The multipart parser already stops at the limit; this keeps the rule true whatever parsed the body.
    if (file.buffer.length > this.settings.maxMb * BYTES_PER_MB) throw AudioErrors.tooLarge(this.settings.maxMb);
    const target = await this.target(ctx, feature, 'speech_to_text');
    const text = await this.speech.transcribe(target, feature.model ?? DEFAULT_TRANSCRIPTION_MODEL, { content: file.buffer, subtype });
    this.logger.log(`Transcribed ${file.buffer.length} bytes of audio for app "${ctx.app.id}" through "${target.provider}"`);
    return { text };
  }

  /**
   * The request's text, or the answer of the end user's message `message_id`, as MP3. Resolves once the
   * provider has accepted the first piece, so refusals are still error answers; the rest streams.
   */
  async speak(ctx: AppKeyContext, request: TextToAudioRequest): Promise<AsyncIterable<Buffer>> {
    const feature = await this.feature(ctx, 'text_to_speech');
    if (!feature.enabled) throw AudioErrors.textToSpeechDisabled();
    const text = request.message_id ? await this.answerOf(ctx, request.message_id, request.user ?? DEFAULT_AUDIO_USER) : request.text;
    if (text === null || text === undefined) throw AudioErrors.textRequired();
    const pieces = splitForSpeech(text);
    if (pieces.length === 0) throw AudioErrors.textRequired();
    const target = await this.target(ctx, feature, 'text_to_speech');
    const model = feature.model ?? DEFAULT_SPEECH_MODEL;
    const voice = chooseVoice(target.provider, request.voice ?? undefined, feature.voice);
    const first = await this.speech.speak(target, model, pieces[0]!, voice);
    const speech = this.speech;
    this.logger.log(`Speaking ${text.length} characters in ${pieces.length} piece(s) for app "${ctx.app.id}" through "${target.provider}"`);
    return (async function* () {
      yield* first;
      for (const piece of pieces.slice(1)) yield* await speech.speak(target, model, piece, voice);
    })();
  }

  /** The feature as the app's published workflow states it; an app with none has every feature off, as in Dify. */
  private async feature(ctx: AppKeyContext, key: 'speech_to_text' | 'text_to_speech'): Promise<SpeechFeature> {
    try {
      const form = await this.bus.request('wf.workflow.start-form.v1', {
        appId: ctx.app.id,
        version: 'published',
        workspaceId: ctx.app.workspaceId,
      });
      return readSpeechFeature(form.features, key);
    } catch (error) {
      if (error instanceof RemoteError && error.code === 'not_found') return readSpeechFeature({}, key);
      throw error;
    }
  }

  /** The provider to call: the one the feature names, else the first of openai, openai_api_compatible with credentials. */
  private async target(ctx: AppKeyContext, feature: SpeechFeature, kind: 'speech_to_text' | 'text_to_speech'): Promise<SpeechTarget> {
    const named = feature.provider ? shortProviderName(feature.provider) : undefined;
    if (named && !(SPEECH_PROVIDERS as readonly string[]).includes(named)) {
      throw kind === 'speech_to_text' ? AudioErrors.providerNotSupportSpeechToText() : AudioErrors.textToSpeechUnsupported(named);
    }
    for (const provider of named ? [named as SpeechProvider] : SPEECH_PROVIDERS) {
      const credentials = await this.apps.providerCredentials(ctx.app.workspaceId, provider);
      const target = credentials ? speechTarget(provider, credentials) : null;
      if (target) return target;
    }
    throw kind === 'speech_to_text' ? AudioErrors.providerNotSupportSpeechToText() : AudioErrors.noTextToSpeechProvider();
  }

  /** The answer of one of the end user's messages in this app; another user's, app's or workspace's is not found. */
  private async answerOf(ctx: AppKeyContext, messageId: string, user: string): Promise<string> {
    if (!isUuid(messageId)) throw MessageErrors.notFound();
    const owner = {
      appId: ctx.app.id,
      endUserId: await this.endUsers.resolve(ctx.app.workspaceId, ctx.app.id, user),
      workspaceId: ctx.app.workspaceId,
    };
    for (let attempt = 1; ; attempt++) {
      const message = await this.bus.request('wf.message.answer.v1', { ...owner, messageId });
      if (message.answer !== '') return message.answer;
      if (message.status !== 'running' || attempt >= ANSWER_ATTEMPTS) throw AudioErrors.messageHasNoAnswer();
      await sleep(ANSWER_RETRY_MS);
    }
  }
}
