/** The limits that apply to one Service API request; 0 means the counter is not checked. */
export interface RequestLimits {
  /** Requests per minute of the caller's API key. */
  keyPerMinute: number;
  /** Requests per minute of the caller's address. */
  addressPerMinute: number;
  /** Runs the app may have in progress at once (only for run routes). */
  maxActive: number;
}

/** An app's own settings, null where it uses the configured default. */
export interface AppLimitSettings {
  maxActiveRequests: number | null;
  rateLimitPerMinute: number | null;
}

/** An app's requests per minute per key: its own setting, else the configured default (0: no limit). */
export function effectiveRatePerMinute(app: AppLimitSettings, configured: number): number {
  return app.rateLimitPerMinute ?? configured;
}

/**
 * An app's concurrent-run limit as Dify computes it: the smaller of the app's setting and
 * APP_MAX_ACTIVE_REQUESTS, where 0 (or unset) means no limit; 0 when neither limits.
 */
export function effectiveMaxActive(app: AppLimitSettings, configured: number): number {
  const limits = [app.maxActiveRequests ?? 0, configured].filter((n) => n > 0);
  return limits.length === 0 ? 0 : Math.min(...limits);
}

/** The `Retry-After` value for a wait in milliseconds: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
