import { guardedFetch, guardedStream } from './guarded-fetch.util';
import { SsrfBlockedError, type SsrfGuard } from './ssrf-guard.util';

// An OpenAI-compatible speech API, for every service that speaks to one (the gateway's audio routes, the node
// runner's audio tools): which endpoint a workspace's credentials name, the voices and input limit, the
// multipart body of a transcription, and the two calls, `POST {base}/audio/transcriptions` (multipart `file`,
// `model`) answering `{text}` and `POST {base}/audio/speech` (JSON `{model, input, voice, response_format}`)
// answering the audio bytes. Errors come as SpeechProviderError with the API key masked; each caller words
// them in its own error codes.

/** What OpenAI's speech endpoint takes in one call (its `input` limit, in characters). */
export const SPEECH_INPUT_LIMIT = 4096;

/** OpenAI's voices; Dify's OpenAI plugin replaces any other voice with the model's default, the first one. */
export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse'] as const;
export const DEFAULT_VOICE = 'alloy';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Providers whose credentials can reach an OpenAI-style `/audio/transcriptions` and `/audio/speech`, in the order they are tried. */
export const SPEECH_PROVIDERS = ['openai', 'openai_api_compatible'] as const;
export type SpeechProvider = (typeof SPEECH_PROVIDERS)[number];

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

/** A speech call failed: `refused` when the SSRF guard refused the endpoint, `failed` for anything else. Messages are redacted. */
export class SpeechProviderError extends Error {
  override readonly name = 'SpeechProviderError';

  constructor(
    readonly kind: 'refused' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** How a speech call reaches the provider: the SSRF guard it goes through, and the caller's cancellation. */
export interface SpeechCallOptions {
  guard: SsrfGuard;
  signal?: AbortSignal;
}

// A transcription uploads a whole recording and waits for the whole text; long recordings take minutes.
const TRANSCRIPTION_TIMEOUT_MS = 300_000;
const TRANSCRIPTION_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
// Speech streams: the headers must come within this, and no gap between two chunks may be longer.
const SPEECH_TIMEOUT_MS = 60_000;
// 4,096 characters of speech are about five minutes of MP3, a few megabytes.
const SPEECH_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function authorization(target: SpeechTarget): Record<string, string> {
  return target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {};
}

function transportError(target: SpeechTarget, error: unknown): SpeechProviderError {
  if (error instanceof SpeechProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SsrfBlockedError) return new SpeechProviderError('refused', message);
  return new SpeechProviderError('failed', redact(`[${target.provider}] ${message}`, [target.apiKey]));
}

/**
 * Transcribes a recording (`file` named `filename`, whose extension the provider decodes by). Goes through the
 * SSRF guard with no redirects (a provider answers where it is asked); throws SpeechProviderError.
 */
export async function transcribeSpeech(
  target: SpeechTarget,
  model: string,
  audio: { content: Buffer; contentType: string; filename: string },
  options: SpeechCallOptions,
): Promise<string> {
  const form = multipartForm(
    { model, response_format: 'json' },
    { content: audio.content, contentType: audio.contentType, field: 'file', filename: audio.filename },
  );
  let response;
  try {
    response = await guardedFetch(`${target.baseUrl}/audio/transcriptions`, {
      body: form.body,
      guard: options.guard,
      headers: { 'content-type': form.contentType, ...authorization(target) },
      maxRedirects: 0,
      maxResponseBytes: TRANSCRIPTION_MAX_RESPONSE_BYTES,
      method: 'POST',
      signal: options.signal,
      timeoutMs: TRANSCRIPTION_TIMEOUT_MS,
    });
  } catch (error) {
    throw transportError(target, error);
  }
  const text = response.body.toString('utf8');
  if (response.status < 200 || response.status >= 300) {
    throw new SpeechProviderError('failed', providerErrorMessage(target.provider, response.status, text, [target.apiKey]));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SpeechProviderError(
      'failed',
      redact(`[${target.provider}] The transcription is not JSON: ${text.slice(0, 200)}`, [target.apiKey]),
    );
  }
  const transcript = (parsed as { text?: unknown } | null)?.text;
  if (typeof transcript !== 'string') throw new SpeechProviderError('failed', `[${target.provider}] The transcription has no text.`);
  return transcript;
}

/**
 * Starts speaking `input` (MP3); resolves once the provider has accepted the call (so a refusal is still an
 * error), with the audio as it arrives. Iterating to the end, or stopping early, frees the connection.
 */
export async function speakText(
  target: SpeechTarget,
  model: string,
  input: string,
  voice: string,
  options: SpeechCallOptions,
): Promise<AsyncIterable<Buffer>> {
  let response;
  try {
    response = await guardedStream(`${target.baseUrl}/audio/speech`, {
      body: JSON.stringify({ input, model, response_format: 'mp3', voice }),
      guard: options.guard,
      headers: { accept: 'audio/mpeg', 'content-type': 'application/json', ...authorization(target) },
      idleTimeoutMs: SPEECH_TIMEOUT_MS,
      maxRedirects: 0,
      maxResponseBytes: SPEECH_MAX_RESPONSE_BYTES,
      method: 'POST',
      signal: options.signal,
      timeoutMs: SPEECH_TIMEOUT_MS,
    });
  } catch (error) {
    throw transportError(target, error);
  }
  if (response.status < 200 || response.status >= 300) {
    const body = await response.readAll().catch(() => Buffer.alloc(0));
    throw new SpeechProviderError('failed', providerErrorMessage(target.provider, response.status, body.toString('utf8'), [target.apiKey]));
  }
  return (async function* () {
    try {
      yield* response.body;
    } catch (error) {
      throw transportError(target, error);
    }
  })();
}
