import { DomainError } from '@weft/contracts';
import { z } from 'zod';

/** The end user Dify files a call under when the caller names none. */
export const DEFAULT_AUDIO_USER = 'DEFAULT-USER';

const user = z.string({ invalid_type_error: 'user must be a string' }).max(255);

/**
 * `POST /v1/text-to-audio`: the text to speak, or a message whose answer is spoken. `streaming` is taken and
 * ignored, as Dify ignores it (the audio is always streamed).
 */
export const TextToAudioRequestSchema = z.object({
  message_id: z.string({ invalid_type_error: 'message_id must be a string' }).max(100).nullish(),
  streaming: z.boolean({ invalid_type_error: 'streaming must be a boolean' }).nullish(),
  // About 25 calls of OpenAI's 4,096-character limit; Dify sets none, but one request should not make hundreds.
  text: z.string({ invalid_type_error: 'text must be a string' }).max(100_000).nullish(),
  user: user.optional(),
  voice: z.string({ invalid_type_error: 'voice must be a string' }).max(100).nullish(),
});
export type TextToAudioRequest = z.infer<typeof TextToAudioRequestSchema>;

/** `POST /v1/audio-to-text`'s answer. */
export const AudioToTextResponseSchema = z.object({ text: z.string() });
export type AudioToTextResponse = z.infer<typeof AudioToTextResponseSchema>;

/** The multipart form of `POST /v1/audio-to-text`, for the OpenAPI description (the interceptor reads it). */
export const AudioToTextFormOpenApi = {
  properties: {
    file: {
      description: 'The recording: audio/mp3, mp4, mpeg, mpga, m4a, wav, webm or amr, up to AUDIO_FILE_SIZE_LIMIT (30 MB)',
      format: 'binary',
      type: 'string',
    },
    user: { description: 'The end user (default DEFAULT-USER)', type: 'string' },
  },
  required: ['file'],
  type: 'object',
};

/** One file part of the multipart form, as the parser handed it over. */
export interface AudioPart {
  buffer: Buffer;
  fieldName: string;
  mimeType: string;
}

/** What `POST /v1/audio-to-text` received. */
export interface AudioUpload {
  files: AudioPart[];
  user: string;
}

/** The form fields besides the file: `user` absent or empty means Dify's default end user; anything but one string is refused. */
export function readAudioForm(body: unknown): { user: string } {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const value = fields['user'];
  if (value !== undefined && typeof value !== 'string') throw new DomainError('invalid_param', 'user: Expected a single string');
  if (typeof value === 'string' && value.length > 255)
    throw new DomainError('invalid_param', 'user: String must contain at most 255 character(s)');
  return { user: value || DEFAULT_AUDIO_USER };
}
