/** Dify's error codes for model-provider failures, as the Service API reports them. */
export type ProviderErrorCode = 'completion_request_error' | 'provider_quota_exceeded' | 'provider_not_initialize';

/** A provider call that failed; `status` is the provider's HTTP status (0 when it never answered). */
export class ProviderRequestError extends Error {
  override readonly name = 'ProviderRequestError';

  constructor(
    readonly provider: string,
    readonly status: number,
    readonly code: ProviderErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The provider is unknown or has no credentials configured. */
export class ProviderNotInitializedError extends Error {
  override readonly name = 'ProviderNotInitializedError';
  readonly code = 'provider_not_initialize' as const;

  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(message);
  }
}
