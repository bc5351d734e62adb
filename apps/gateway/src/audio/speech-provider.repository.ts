import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import { guardedFetch, guardedStream, SsrfBlockedError, type SsrfGuard } from '@weft/outbound-http';
import {
  multipartForm,
  providerErrorMessage,
  redact,
  transcriptionFileName,
  type AudioSubtype,
  type SpeechTarget,
} from './audio-rules.util';
import { AudioErrors } from './audio.exception';

/** The SSRF guard speech calls go through: PROVIDER_ALLOWED_HOSTS, like every model provider call. */
export const SPEECH_GUARD = Symbol('SPEECH_GUARD');

// A transcription uploads up to AUDIO_FILE_SIZE_LIMIT and waits for the whole text; long recordings take minutes.
const TRANSCRIPTION_TIMEOUT_MS = 300_000;
const TRANSCRIPTION_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
// Speech streams: the headers must come within this, and no gap between two chunks may be longer.
const SPEECH_TIMEOUT_MS = 60_000;
// 4,096 characters of speech are about five minutes of MP3, a few megabytes.
const SPEECH_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * An OpenAI-compatible speech API: `POST {base}/audio/transcriptions` (multipart `file`, `model`) answering
 * `{text}`, and `POST {base}/audio/speech` (JSON `{model, input, voice, response_format}`) answering the audio
 * bytes. Every call goes through the SSRF guard with no redirects (a provider answers where it is asked);
 * every failure becomes Dify's error for a failed model call, with the API key masked.
 */
@Injectable()
export class SpeechProviderRepository {
  constructor(@Inject(SPEECH_GUARD) private readonly guard: SsrfGuard) {}

  async transcribe(target: SpeechTarget, model: string, audio: { content: Buffer; subtype: AudioSubtype }): Promise<string> {
    const form = multipartForm(
      { model, response_format: 'json' },
      { content: audio.content, contentType: `audio/${audio.subtype}`, field: 'file', filename: transcriptionFileName(audio.subtype) },
    );
    const url = `${target.baseUrl}/audio/transcriptions`;
    let response;
    try {
      response = await guardedFetch(url, {
        body: form.body,
        guard: this.guard,
        headers: { 'content-type': form.contentType, ...authorization(target) },
        maxRedirects: 0,
        maxResponseBytes: TRANSCRIPTION_MAX_RESPONSE_BYTES,
        method: 'POST',
        timeoutMs: TRANSCRIPTION_TIMEOUT_MS,
      });
    } catch (error) {
      throw transportError(target, error);
    }
    const text = response.body.toString('utf8');
    if (response.status < 200 || response.status >= 300) {
      throw AudioErrors.providerFailed(providerErrorMessage(target.provider, response.status, text, [target.apiKey]));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw AudioErrors.providerFailed(
        redact(`[${target.provider}] The transcription is not JSON: ${text.slice(0, 200)}`, [target.apiKey]),
      );
    }
    const transcript = (parsed as { text?: unknown } | null)?.text;
    if (typeof transcript !== 'string') throw AudioErrors.providerFailed(`[${target.provider}] The transcription has no text.`);
    return transcript;
  }

  /**
   * Starts speaking `input`; resolves once the provider has accepted the call (so a refusal is still an error
   * answer), with the audio as it arrives. Iterating to the end, or stopping early, frees the connection.
   */
  async speak(target: SpeechTarget, model: string, input: string, voice: string): Promise<AsyncIterable<Buffer>> {
    const url = `${target.baseUrl}/audio/speech`;
    let response;
    try {
      response = await guardedStream(url, {
        body: JSON.stringify({ input, model, response_format: 'mp3', voice }),
        guard: this.guard,
        headers: { accept: 'audio/mpeg', 'content-type': 'application/json', ...authorization(target) },
        idleTimeoutMs: SPEECH_TIMEOUT_MS,
        maxRedirects: 0,
        maxResponseBytes: SPEECH_MAX_RESPONSE_BYTES,
        method: 'POST',
        timeoutMs: SPEECH_TIMEOUT_MS,
      });
    } catch (error) {
      throw transportError(target, error);
    }
    if (response.status < 200 || response.status >= 300) {
      const body = await response.readAll().catch(() => Buffer.alloc(0));
      throw AudioErrors.providerFailed(providerErrorMessage(target.provider, response.status, body.toString('utf8'), [target.apiKey]));
    }
    return (async function* () {
      try {
        yield* response.body;
      } catch (error) {
        throw transportError(target, error);
      }
    })();
  }
}

function authorization(target: SpeechTarget): Record<string, string> {
  return target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {};
}

function transportError(target: SpeechTarget, error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SsrfBlockedError) return AudioErrors.endpointRefused(target.provider, message);
  return AudioErrors.providerFailed(redact(`[${target.provider}] ${message}`, [target.apiKey]));
}
