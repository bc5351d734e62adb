import * as Sentry from '@sentry/node';

let enabled = false;

/** Starts Sentry error reporting when a DSN is configured; without one it does nothing. */
export function initErrorReporting(dsn: string | undefined, service: string, release: string): void {
  if (!dsn || enabled) return;
  Sentry.init({ dsn, release, serverName: service, tracesSampleRate: 0, sendDefaultPii: false });
  enabled = true;
}

/** Reports an unexpected error, tagged with its correlation id, if reporting is on. */
export function reportError(error: unknown, correlationId: string): void {
  if (!enabled) return;
  Sentry.withScope((scope) => {
    scope.setTag('correlation_id', correlationId);
    Sentry.captureException(error);
  });
}

/** Sends what is queued before the process exits. */
export async function flushErrorReporting(timeoutMs = 2000): Promise<void> {
  if (enabled) await Sentry.close(timeoutMs);
}
