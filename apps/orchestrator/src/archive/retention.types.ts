import type { ConfigOf, orchestratorConfigSpec } from '@weft/config';

/** The archive and retention settings (RUN_ARCHIVE_*, DATA_RETENTION_DAYS, RETENTION_INTERVAL_MINUTES). */
export type RetentionSettings = ConfigOf<typeof orchestratorConfigSpec>['retention'];

export const RETENTION_SETTINGS = Symbol('RETENTION_SETTINGS');

/** How the archive and retention jobs appear in the audit trail. */
export const RETENTION_ACTOR = { id: 'orchestrator', type: 'system' } as const;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
