// Statuses of runs, nodes, documents and services, and the Mantine colour each is shown in.
import { formatDuration } from './format';

/** A status's Mantine colour; console.css has the run page's data-color rules for each colour used here. */
export const STATUS_COLORS: Record<string, string> = {
  succeeded: 'green',
  completed: 'green',
  normal: 'green',
  up: 'green',
  ok: 'green',
  success: 'green',
  running: 'blue',
  indexing: 'blue',
  parsing: 'blue',
  splitting: 'blue',
  cleaning: 'blue',
  waiting: 'gray',
  queuing: 'gray',
  paused: 'gray',
  stopped: 'gray',
  'partial-succeeded': 'yellow',
  exception: 'orange',
  retry: 'orange',
  degraded: 'orange',
  failed: 'red',
  error: 'red',
  failure: 'red',
  down: 'red',
  broken: 'red',
};

export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? 'gray';
}

/** A graph node's accessible name: its title and its status ("not run" when it has none). */
export function nodeLabel(title: string, status: string | null | undefined): string {
  return `${title}: ${status ?? 'not run'}`;
}

/** The status line a graph node shows: its status and, when known, how long it took ("succeeded · 12 ms"). */
export function nodeStatusLine(status: string | null | undefined, duration: number | null | undefined): string {
  if (!status) return 'not run';
  return duration === null || duration === undefined ? status : `${status} · ${formatDuration(duration)}`;
}
