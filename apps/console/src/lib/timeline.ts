// The run page's timeline, computed from the node executions alone (no DOM): one row per execution in run order,
// an iteration's or a loop's executions nested under the container node's row (collapsible), each row placed
// by its start offset from the run's start (never before its predecessor ended) and its duration, parallel
// branches labelled so they read side by side.
import type { NodeExecution } from '../types';

export interface TimelineRow {
  execution: NodeExecution;
  /** 0 for a top-level node, 1 for a node inside an iteration or loop. */
  depth: number;
  /** Seconds from the run's start. */
  start: number;
  /** Seconds (for a running node: until `now`). */
  duration: number;
  /** The iteration or loop round, 0-based, for a nested row. */
  round: number | null;
  /** The parallel branch a row belongs to (its branch's first node), null outside parallel branches. */
  branch: string | null;
  retry: number | null;
  /** For a container row (iteration/loop): how many nested executions it has. */
  children: number;
}

export interface Timeline {
  rows: TimelineRow[];
  /** The time axis' length in seconds. */
  span: number;
}

function containerOf(e: NodeExecution): string | null {
  return e.execution_metadata?.iteration_id ?? e.execution_metadata?.loop_id ?? null;
}

function roundOf(e: NodeExecution): number | null {
  const m = e.execution_metadata;
  return m?.iteration_index ?? m?.loop_index ?? null;
}

export function durationOf(e: NodeExecution, nowSeconds: number): number {
  if (typeof e.elapsed_time === 'number' && e.elapsed_time > 0) return e.elapsed_time;
  if (e.finished_at !== null) return Math.max(0, e.finished_at - e.created_at);
  return e.status === 'running' ? Math.max(0, nowSeconds - e.created_at) : 0;
}

/**
 * Rows for the timeline. `collapsed` holds the node ids of containers whose nested executions are hidden.
 * `runStart` and `nowSeconds` are Unix seconds.
 */
export function buildTimeline(
  executions: NodeExecution[],
  runStart: number,
  runElapsed: number,
  nowSeconds: number,
  collapsed: ReadonlySet<string> = new Set(),
): Timeline {
  const ordered = [...executions].sort((a, b) => a.index - b.index);
  const nested = new Map<string, NodeExecution[]>();
  const containers = new Set(ordered.map((e) => e.node_id));
  const top: NodeExecution[] = [];
  for (const e of ordered) {
    const container = containerOf(e);
    if (container && containers.has(container) && container !== e.node_id) {
      const list = nested.get(container) ?? [];
      list.push(e);
      nested.set(container, list);
    } else top.push(e);
  }
  // Start offsets: the recorded start, but never before the predecessor's end. Times are Unix seconds, often
  // whole ones, so a fast chain would otherwise start every node at +0; a node's predecessor is what it waited for.
  const ends = new Map<string, number>();
  const starts = new Map<string, number>();
  for (const e of ordered) {
    const recorded = Math.max(0, e.created_at - runStart);
    const after = e.predecessor_node_id ? (ends.get(e.predecessor_node_id) ?? 0) : 0;
    const start = Math.max(recorded, after);
    starts.set(e.id, start);
    ends.set(e.node_id, start + durationOf(e, nowSeconds));
  }
  const row = (e: NodeExecution, depth: number, children: number): TimelineRow => ({
    execution: e,
    depth,
    start: starts.get(e.id) ?? 0,
    duration: durationOf(e, nowSeconds),
    round: depth > 0 ? roundOf(e) : null,
    branch: e.execution_metadata?.parallel_start_node_id ?? null,
    retry: e.execution_metadata?.retry_index ?? null,
    children,
  });
  const rows: TimelineRow[] = [];
  const placed = new Set<string>();
  for (const e of top) {
    const kids = placed.has(e.node_id) ? [] : (nested.get(e.node_id) ?? []);
    placed.add(e.node_id);
    rows.push(row(e, 0, kids.length));
    if (collapsed.has(e.node_id)) continue;
    const byRound = [...kids].sort((a, b) => (roundOf(a) ?? 0) - (roundOf(b) ?? 0) || a.index - b.index);
    for (const k of byRound) rows.push(row(k, 1, 0));
  }
  const span = Math.max(runElapsed, ...rows.map((r) => r.start + r.duration), 0.001);
  return { rows, span };
}

/** The status a graph node shows: its last execution's, except that a failure anywhere in it wins. */
export function nodeStatuses(executions: NodeExecution[]): Map<string, string> {
  const statuses = new Map<string, string>();
  for (const e of [...executions].sort((a, b) => a.index - b.index)) {
    const before = statuses.get(e.node_id);
    if (before === 'failed' || before === 'exception') continue;
    statuses.set(e.node_id, e.status);
  }
  return statuses;
}

/** Tokens and cost added up over the executions that report them. */
export function totals(executions: NodeExecution[]): { tokens: number; price: number; currency: string | null } {
  let tokens = 0;
  let price = 0;
  let currency: string | null = null;
  for (const e of executions) {
    const m = e.execution_metadata;
    if (!m) continue;
    tokens += Number(m.total_tokens ?? 0) || 0;
    price += Number(m.total_price ?? 0) || 0;
    currency = currency ?? m.currency ?? null;
  }
  return { tokens, price, currency };
}
