import { DomainError } from '@weft/contracts';

/** The errors of `POST /v1/audio-to-text` and `POST /v1/text-to-audio`, in Dify's codes and words. */
export const AudioErrors = {
  /** Dify's check of the app's feature raises a ValueError, which its API answers as invalid_param. */
  speechToTextDisabled: () => new DomainError('invalid_param', 'Speech to text is not enabled'),
  textToSpeechDisabled: () => new DomainError('invalid_param', 'TTS is not enabled'),
  /** Also for a `file` part that is empty: there is nothing to transcribe. */
  noAudioUploaded: () => new DomainError('no_audio_uploaded', 'Please upload your audio.'),
  tooLarge: (limitMb: number) => new DomainError('audio_too_large', `Audio size larger than ${limitMb} mb`),
  unsupportedType: () => new DomainError('unsupported_audio_type', 'Audio type not allowed.'),
  /** The workspace has no credentials of a provider that transcribes (or the feature names one that does not). */
  providerNotSupportSpeechToText: () => new DomainError('provider_not_support_speech_to_text', 'Provider not support speech to text.'),
  /** Dify answers a workspace without a text-to-speech model with provider_not_initialize. */
  noTextToSpeechProvider: () =>
    new DomainError(
      'provider_not_initialize',
      'No text-to-speech provider is configured: save the credentials of openai or openai_api_compatible for this workspace.',
    ),
  textToSpeechUnsupported: (provider: string) =>
    new DomainError(
      'provider_not_initialize',
      `Provider ${provider} does not support text to speech; use openai or openai_api_compatible.`,
    ),
  textRequired: () => new DomainError('invalid_param', 'Text is required'),
  /** The message is still being answered (or ended without an answer): there is no text to read aloud. */
  messageHasNoAnswer: () => new DomainError('invalid_param', 'The message has no answer to read aloud yet.'),
  /** The provider's endpoint is an address the SSRF guard refuses (set PROVIDER_ALLOWED_HOSTS for a local server). */
  endpointRefused: (provider: string, reason: string) =>
    new DomainError('provider_not_initialize', `[${provider}] speech endpoint refused: ${reason}`),
  /** Dify answers every failure of the model call (InvokeError) as completion_request_error with its description. */
  providerFailed: (message: string) => new DomainError('completion_request_error', message),
} as const;
