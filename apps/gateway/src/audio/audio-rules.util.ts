/**
 * The pure rules of Dify's audio routes: which uploads are audio, how long text is cut for a speech model,
 * which voice is used, which provider a workspace's credentials point at, and the multipart body OpenAI's
 * transcription endpoint takes.
 */

/**
 * Audio types `POST /v1/audio-to-text` accepts, by the subtype of the part's declared `audio/<subtype>` type.
 * Dify's code checks `audio/<ext>` against its AUDIO_EXTENSIONS (mp3, m4a, wav, amr, mpga) while its API
 * documentation promises mp3, mp4, mpeg, mpga, m4a, wav and webm (langgenius/dify#29726); Weft takes both
 * lists, so every request either version accepts is accepted here.
 */
export const AUDIO_SUBTYPES = ['amr', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'wav', 'webm'] as const;
export type AudioSubtype = (typeof AUDIO_SUBTYPES)[number];

/** What OpenAI's speech endpoint takes in one call (its `input` limit, in characters). */
export const SPEECH_INPUT_LIMIT = 4096;

/** OpenAI's voices; Dify's OpenAI plugin replaces any other voice with the model's default, the first one. */
export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'] as const;
export const DEFAULT_VOICE = 'alloy';

export const DEFAULT_TRANSCRIPTION_MODEL = 'whisper-1';
export const DEFAULT_SPEECH_MODEL = 'tts-1';
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Providers whose credentials can reach an OpenAI-style `/audio/transcriptions` and `/audio/speech`, in the order they are tried. */
export const SPEECH_PROVIDERS = ['openai', 'openai_api_compatible'] as const;
export type SpeechProvider = (typeof SPEECH_PROVIDERS)[number];

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

/** Where and as whom a speech call goes. */
export interface SpeechTarget {
  apiKey: string | undefined;
  /** Ends with the API version (`…/v1`); paths are appended to it. */
  baseUrl: string;
  provider: SpeechProvider;
}

/**
 * The endpoint a workspace's credentials name, with Dify's field names: openai `{openai_api_key,
 * openai_api_base?}` (the base without `/v1`, as Dify's form takes it); openai_api_compatible `{endpoint_url,
 * api_key?}` (the endpoint including `/v1`). Null when the credentials lack what the provider needs.
 */
export function speechTarget(provider: SpeechProvider, credentials: Record<string, string | undefined>): SpeechTarget | null {
  if (provider === 'openai') {
    const apiKey = credentials['openai_api_key']?.trim();
    if (!apiKey) return null;
    const base = credentials['openai_api_base']?.trim().replace(/\/+$/, '');
    return { apiKey, baseUrl: base ? (base.endsWith('/v1') ? base : `${base}/v1`) : OPENAI_DEFAULT_BASE_URL, provider };
  }
  const endpoint = (credentials['endpoint_url'] ?? credentials['openai_api_base'])?.trim().replace(/\/+$/, '');
  if (!endpoint) return null;
  return { apiKey: (credentials['api_key'] ?? credentials['openai_api_key'])?.trim() || undefined, baseUrl: endpoint, provider };
}

/**
 * The voice to speak with, as Dify picks it: the request's, else the feature's, else the model's first
 * voice. OpenAI knows only its own voices, so another name there becomes the default voice, as Dify's OpenAI
 * plugin does; an OpenAI-compatible server gets the name as given (local servers have voices of their own).
 */
export function chooseVoice(provider: SpeechProvider, requested: string | undefined, featureVoice: string | undefined): string {
  const voice = requested?.trim() || featureVoice || DEFAULT_VOICE;
  if (provider === 'openai' && !(OPENAI_VOICES as readonly string[]).includes(voice)) return DEFAULT_VOICE;
  return voice;
}

/**
 * Cuts text into pieces of at most `limit` characters for one speech call each, at the last sentence end
 * (`.`, `!`, `?`, their CJK forms, a line break) inside the limit, else at the last space, else hard; pieces
 * are trimmed and empty ones dropped. The pieces' audio, MP3 frames one after another, plays as one.
 */
export function splitForSpeech(text: string, limit = SPEECH_INPUT_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = -1;
    for (let i = window.length - 1; i > 0; i--) {
      if ('.!?。！？\n'.includes(window[i]!)) {
        cut = i + 1;
        break;
      }
    }
    if (cut <= 0) {
      // A space just past the window is as good a place as one inside it: the piece still fits.
      const space = rest.lastIndexOf(' ', limit);
      cut = space > 0 ? space : limit;
    }
    const piece = rest.slice(0, cut).trim();
    if (piece) pieces.push(piece);
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** A `multipart/form-data` body: text fields, then one file part. */
export interface MultipartBody {
  body: Buffer;
  contentType: string;
}

/**
 * Builds a multipart form (RFC 7578) with the given text fields and one file. The boundary is random and
 * checked against the content; names and the file name are quoted with `"`, CR and LF escaped as browsers do.
 */
export function multipartForm(
  fields: Record<string, string>,
  file: { content: Buffer; contentType: string; field: string; filename: string },
  boundary = `----weft${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`,
): MultipartBody {
  const quote = (value: string) => value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`, 'utf8'));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"\r\n` +
        `Content-Type: ${file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`,
      'utf8',
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  );
  const body = Buffer.concat(parts);
  // A boundary that occurs in the content would end the part early; a random one practically never does.
  if (file.content.includes(`--${boundary}`) || Object.values(fields).some((v) => v.includes(boundary))) {
    return multipartForm(fields, file);
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The message of a provider's refusal, in the form Dify's OpenAI plugin words it (`[openai] Error code: 401 -
 * <the provider's message>`), read from OpenAI's `{error: {message}}` or a plain body, with `secrets` (the API
 * key) and anything shaped like an OpenAI key masked.
 */
export function providerErrorMessage(provider: string, status: number, body: string, secrets: (string | undefined)[]): string {
  let detail = body.trim().slice(0, 500) || 'no error message';
  try {
    const json = JSON.parse(body) as Record<string, unknown> | null;
    const error = json?.['error'];
    const inner = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : json;
    if (typeof error === 'string') detail = error;
    else if (typeof inner?.['message'] === 'string') detail = inner['message'];
    else if (typeof json?.['detail'] === 'string') detail = json['detail'];
  } catch {
    // Not JSON: the body's text is the message.
  }
  return redact(`[${provider}] Error code: ${status} - ${detail}`, secrets);
}

/** Masks the given secrets and anything shaped like an OpenAI key (`sk-…`). */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out.replace(/\bsk-[A-Za-z0-9_*-]{6,}/g, 'sk-***');
}
