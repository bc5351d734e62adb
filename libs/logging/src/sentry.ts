import type * as SentrySdk from '@sentry/node';

/** The Sentry SDK once reporting is on: loaded only then (it takes most of a second of each service's start-up). */
let Sentry: typeof SentrySdk | null = null;

/** Starts Sentry error reporting when a DSN is configured; without one it does nothing and loads nothing. */
export function initErrorReporting(dsn: string | undefined, service: string, release: string): void {
  if (!dsn || Sentry) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above)
  const sdk = require('@sentry/node') as typeof SentrySdk;
  sdk.init({ dsn, release, serverName: service, tracesSampleRate: 0, sendDefaultPii: false });
  Sentry = sdk;
}

/** Reports an unexpected error, tagged with its correlation id, if reporting is on. */
export function reportError(error: unknown, correlationId: string): void {
  const sdk = Sentry;
  if (!sdk) return;
  sdk.withScope((scope) => {
    scope.setTag('correlation_id', correlationId);
    sdk.captureException(error);
  });
}

/** Sends what is queued before the process exits. */
export async function flushErrorReporting(timeoutMs = 2000): Promise<void> {
  if (Sentry) await Sentry.close(timeoutMs);
}
