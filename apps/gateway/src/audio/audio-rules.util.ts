/**
 * The pure rules of Dify's audio routes: which uploads are audio, what the app's speech features say and the
 * default models. What any caller of an OpenAI-compatible speech API needs (endpoints, voices, splitting text,
 * the calls themselves) is in @weft/outbound-http (`openai-speech.util.ts`).
 */

/**
 * Audio types `POST /v1/audio-to-text` accepts, by the subtype of the part's declared `audio/<subtype>` type.
 * Dify's code checks `audio/<ext>` against its AUDIO_EXTENSIONS (mp3, m4a, wav, amr, mpga) while its API
 * documentation promises mp3, mp4, mpeg, mpga, m4a, wav and webm (langgenius/dify#29726); Weft takes both
 * lists, so every request either version accepts is accepted here.
 */
export const AUDIO_SUBTYPES = ['amr', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'wav', 'webm'] as const;
export type AudioSubtype = (typeof AUDIO_SUBTYPES)[number];

export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';
export const DEFAULT_SPEECH_MODEL = 'tts-1';

/**
 * The accepted audio subtype of a part's content type (`audio/webm;codecs=opus` → `webm`, case ignored), or
 * null for anything else, `application/octet-stream` included, as Dify refuses it.
 */
export function audioSubtype(contentType: string | undefined): AudioSubtype | null {
  const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const match = /^audio\/([a-z0-9.+-]+)$/.exec(essence);
  const subtype = match?.[1];
  return subtype && (AUDIO_SUBTYPES as readonly string[]).includes(subtype) ? (subtype as AudioSubtype) : null;
}

/** The file name sent to the transcription endpoint, whose extension is what OpenAI decodes by. */
export function transcriptionFileName(subtype: AudioSubtype): string {
  return `audio.${subtype === 'mpeg' ? 'mp3' : subtype}`;
}

/** An app feature as its DSL states it (`features.speech_to_text`, `features.text_to_speech`). */
export interface SpeechFeature {
  enabled: boolean;
  /** Weft's addition: the model to call (Dify uses the workspace's default model of the type). */
  model: string | undefined;
  /** Weft's addition: which provider's credentials to use (Dify uses the workspace's default model's provider). */
  provider: string | undefined;
  voice: string | undefined;
}

/** Reads one feature of the app's features; anything malformed reads as disabled or unset. */
export function readSpeechFeature(features: Record<string, unknown>, key: 'speech_to_text' | 'text_to_speech'): SpeechFeature {
  const raw = features[key];
  const feature = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  return {
    enabled: feature['enabled'] === true,
    model: text(feature['model']),
    provider: text(feature['provider']),
    voice: text(feature['voice']),
  };
}

/** `langgenius/openai/openai` → `openai`; short names stay as they are. */
export function shortProviderName(provider: string): string {
  return provider.split('/').pop()!.trim().toLowerCase();
}
