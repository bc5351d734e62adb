// The run's workflow drawn left to right: dagre places the DSL graph's nodes (their editor positions are ignored,
// they are often overlapping after an import); nodes inside an iteration or loop are laid out with the rest.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode } from '../types';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 64;

export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const id of ids) {
    const p = g.node(id) as { x: number; y: number } | undefined;
    // dagre gives centres; React Flow wants top-left corners.
    positions.set(id, p ? { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 } : { x: 0, y: 0 });
  }
  return positions;
}

/** From this many nodes on, the layout runs in a worker (a small graph is laid out faster than a worker starts). */
export const WORKER_LAYOUT_FROM = 40;

/** The graph's layout, in a worker for a big graph; on the page itself if workers are not available or fail. */
export function layoutGraphAsync(nodes: GraphNode[], edges: GraphEdge[]): Promise<Map<string, { x: number; y: number }>> {
  if (nodes.length < WORKER_LAYOUT_FROM || typeof Worker === 'undefined') return Promise.resolve(layoutGraph(nodes, edges));
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      resolve(layoutGraph(nodes, edges));
      return;
    }
    worker.onmessage = (event: MessageEvent<[string, { x: number; y: number }][]>) => {
      resolve(new Map(event.data));
      worker.terminate();
    };
    worker.onerror = () => {
      resolve(layoutGraph(nodes, edges));
      worker.terminate();
    };
    worker.postMessage({ nodes, edges });
  });
}

type Positions = Map<string, { x: number; y: number }>;

/** A graph's shape: what its layout depends on (a running run's refreshes keep it). */
export function graphKey(nodes: GraphNode[], edges: GraphEdge[]): string {
  return JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.source, e.target])]);
}

/** Layouts started or done, by graph shape: the few last graphs looked at. */
const layouts = new Map<string, Promise<Positions>>();

/**
 * The graph's layout, started at most once per shape: the run page asks as soon as the run's answer arrives, so a
 * big graph's worker computes while the page draws the rest, and the graph asks again when it mounts.
 */
export function graphLayout(nodes: GraphNode[], edges: GraphEdge[]): Promise<Positions> {
  const key = graphKey(nodes, edges);
  let layout = layouts.get(key);
  if (!layout) {
    layout = layoutGraphAsync(nodes, edges);
    layouts.set(key, layout);
    if (layouts.size > 4) layouts.delete(layouts.keys().next().value as string);
  }
  return layout;
}
