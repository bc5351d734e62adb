import { z } from 'zod';

/** Error codes that cross service boundaries; the gateway maps each to an HTTP status in one place. */
export const ERROR_CODES = [
  'bad_request',
  'invalid_param',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  /** What was there is gone for good: a spent or expired one-time download link. */
  'gone',
  'too_many_requests',
  'unavailable',
  'timeout',
  'internal_error',
  // Dify's own codes that callers of its API rely on, passed through unchanged.
  'app_unavailable',
  'not_workflow_app',
  'not_chat_app',
  'not_completion_app',
  'provider_not_initialize',
  'provider_quota_exceeded',
  'model_currently_not_support',
  'completion_request_error',
  'conversation_completed',
  'end_user_not_found',
  'dataset_name_duplicate',
  'dataset_not_initialized',
  'archived_document_immutable',
  'document_indexing',
  'no_file_uploaded',
  'too_many_files',
  'filename_not_exists_error',
  'file_too_large',
  'unsupported_file_type',
  // Dify's codes of sign-up, password reset and invitations (console auth).
  'email_code_error',
  'invalid_or_expired_token',
  'password_mismatch',
  'email_already_in_use',
  'email_register_limit',
  'email_password_reset_limit',
  'email_register_rate_limit_exceeded',
  'password_reset_rate_limit_exceeded',
  'invitation_account_mismatch',
  // Dify's codes of the audio routes (audio-to-text, text-to-audio) and of the file preview.
  'no_audio_uploaded',
  'audio_too_large',
  'unsupported_audio_type',
  'provider_not_support_speech_to_text',
  'file_not_found',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error shape that travels over NATS. */
export const ErrorEnvelopeSchema = z.object({
  code: z.enum(ERROR_CODES),
  correlationId: z.string(),
  message: z.string(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/** A failure the caller should see, with a code from the closed list. Services throw this, never HTTP errors. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The error a bus request rejects with when the other side answered with an error envelope. */
export class RemoteError extends DomainError {
  constructor(
    readonly envelope: ErrorEnvelope,
    readonly subject: string,
  ) {
    super(envelope.code, envelope.message);
    this.name = 'RemoteError';
  }
}

/** Turns anything thrown into the envelope; unknown errors are reported as internal without their text. */
export function toErrorEnvelope(error: unknown, correlationId: string): ErrorEnvelope {
  if (error instanceof DomainError) return { code: error.code, message: error.message, correlationId };
  return { code: 'internal_error', message: `Internal error (correlation id ${correlationId})`, correlationId };
}
