// The first page's data, asked for by the console's first (small) script while the rest of the console loads:
// the workspace, and on a run's page the run, its node executions and its graph's layout. Without this the run
// page would wait for the whole bundle, then for the workspace, and only then ask for the run.
// Each answer is taken once, by the first component that wants it; signing in or out drops what is left.
import { api } from '../api';
import type { RunDetail } from '../types';
import { graphLayout } from './layout-cache';

interface Early {
  promise: Promise<unknown>;
  value: unknown;
  settled: boolean;
}

const early = new Map<string, Early>();

function ask(path: string): Promise<unknown> {
  const entry: Early = { promise: api.get(path), value: undefined, settled: false };
  entry.promise.then(
    (value) => {
      entry.value = value;
      entry.settled = true;
    },
    () => undefined, // the component that takes it sees the error
  );
  early.set(path, entry);
  return entry.promise;
}

/** A run page's address (under the console's base path): its app and run, if it is one. */
export function runPageOf(pathname: string): { appId: string; runId: string } | null {
  const match = /^\/console\/apps\/([^/]+)\/runs\/([^/]+)\/?$/.exec(pathname);
  if (!match) return null;
  try {
    return { appId: decodeURIComponent(match[1]!), runId: decodeURIComponent(match[2]!) };
  } catch {
    // A malformed escape (`%E0`): not a run the page could show; the console still loads and says so.
    return null;
  }
}

/** The console API's address of a run (the run page asks for it and for its node executions). */
export function runPath(appId: string, runId: string): string {
  return `/apps/${appId}/workflow-runs/${runId}`;
}

/** Starts the requests the page at `pathname` will make first (nothing when signed out). */
export function preloadPage(pathname: string): void {
  if (!api.signedIn) return;
  void ask('/workspaces/current');
  void ask('/workspaces');
  const run = runPageOf(pathname);
  if (run) {
    const base = runPath(run.appId, run.runId);
    void ask(`${base}/node-executions`);
    void ask(base).then(
      (detail) => {
        const graph = (detail as RunDetail).graph;
        void graphLayout(graph.nodes, graph.edges);
      },
      () => undefined,
    );
  }
  api.onChange(() => early.clear());
}

/**
 * Settles when every early request has been answered (or has failed), or after `limitMs`, whichever comes first.
 * The console's first render waits for it, so a run page is drawn once with its data rather than first as a loading
 * state and then again (the answers usually arrive while the main script loads; a slow one delays it at most this).
 */
export function firstAnswers(limitMs: number): Promise<void> {
  const pending = [...early.values()].filter((entry) => !entry.settled).map((entry) => entry.promise.catch(() => undefined));
  if (pending.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    void Promise.all(pending).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The early request for `path`, taken (a later call asks the gateway again). */
export function takePreloaded<T>(path: string): Promise<T> | null {
  const entry = early.get(path);
  if (!entry) return null;
  early.delete(path);
  return entry.promise as Promise<T>;
}

/** The early answer for `path` if it has already arrived (not taken: the effect that fetches still takes it). */
export function preloadedValue<T>(path: string): T | null {
  const entry = early.get(path);
  return entry?.settled ? (entry.value as T) : null;
}
