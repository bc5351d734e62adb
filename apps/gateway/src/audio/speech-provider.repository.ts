import { Inject, Injectable } from '@nestjs/common';
import { speakText, SpeechProviderError, transcribeSpeech, type SpeechTarget, type SsrfGuard } from '@weft/outbound-http';
import { transcriptionFileName, type AudioSubtype } from './audio-rules.util';
import { AudioErrors } from './audio.exception';

/** The SSRF guard speech calls go through: PROVIDER_ALLOWED_HOSTS, like every model provider call. */
export const SPEECH_GUARD = Symbol('SPEECH_GUARD');

/**
 * The workspace's OpenAI-compatible speech API, through the shared client in @weft/outbound-http (the node
 * runner's audio tools use the same one); every failure becomes Dify's error for a failed model call, with the
 * API key masked, or provider_not_initialize when the SSRF guard refuses the endpoint.
 */
@Injectable()
export class SpeechProviderRepository {
  constructor(@Inject(SPEECH_GUARD) private readonly guard: SsrfGuard) {}

  async transcribe(target: SpeechTarget, model: string, audio: { content: Buffer; subtype: AudioSubtype }): Promise<string> {
    try {
      return await transcribeSpeech(
        target,
        model,
        { content: audio.content, contentType: `audio/${audio.subtype}`, filename: transcriptionFileName(audio.subtype) },
        { guard: this.guard },
      );
    } catch (error) {
      throw audioError(target, error);
    }
  }

  /**
   * Starts speaking `input`; resolves once the provider has accepted the call (so a refusal is still an error
   * answer), with the audio as it arrives. Iterating to the end, or stopping early, frees the connection.
   */
  async speak(target: SpeechTarget, model: string, input: string, voice: string): Promise<AsyncIterable<Buffer>> {
    let audio: AsyncIterable<Buffer>;
    try {
      audio = await speakText(target, model, input, voice, { guard: this.guard });
    } catch (error) {
      throw audioError(target, error);
    }
    return (async function* () {
      try {
        yield* audio;
      } catch (error) {
        throw audioError(target, error);
      }
    })();
  }
}

function audioError(target: SpeechTarget, error: unknown): unknown {
  if (!(error instanceof SpeechProviderError)) return error;
  return error.kind === 'refused' ? AudioErrors.endpointRefused(target.provider, error.message) : AudioErrors.providerFailed(error.message);
}
