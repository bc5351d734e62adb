import type { CodeRunResult } from './sandbox.types';

/** The result of a run stopped by its abort signal. */
export function abortedResult(): CodeRunResult {
  return { ok: false, kind: 'aborted', error: 'Code run was aborted' };
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
