// Where a run's graph gets its layout, and the layouts already made. It has no dagre of its own, so the console's
// first script can start a big graph's layout (in a worker) as soon as the run's answer arrives, while the rest of
// the console still loads; the run page then finds the layout done, or waits for the same one.
import type { GraphEdge, GraphNode } from '../types';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 64;

export type Positions = Map<string, { x: number; y: number }>;

/** From this many nodes on, the layout runs in a worker (a small graph is laid out faster than a worker starts). */
export const WORKER_LAYOUT_FROM = 40;

/** On the page itself: dagre is fetched then (a small graph, or no workers). */
async function layoutHere(nodes: GraphNode[], edges: GraphEdge[]): Promise<Positions> {
  const { layoutGraph } = await import('./graph-layout');
  return layoutGraph(nodes, edges);
}

function startWorker(): Worker {
  return new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
}

/** A worker started ahead (its script loaded and dagre compiled while the page waits for the run), used once. */
let warm: Worker | null = null;

/** Starts a layout worker now, for the big graph a run page is about to ask about. */
export function warmLayoutWorker(): void {
  if (warm || typeof Worker === 'undefined') return;
  try {
    warm = startWorker();
  } catch {
    warm = null;
  }
}

function layoutInWorker(nodes: GraphNode[], edges: GraphEdge[]): Promise<Positions> {
  if (nodes.length < WORKER_LAYOUT_FROM || typeof Worker === 'undefined') {
    // A small graph after all: the worker started ahead is not needed.
    warm?.terminate();
    warm = null;
    return layoutHere(nodes, edges);
  }
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = warm ?? startWorker();
      warm = null;
    } catch {
      resolve(layoutHere(nodes, edges));
      return;
    }
    worker.onmessage = (event: MessageEvent<[string, { x: number; y: number }][]>) => {
      resolve(new Map(event.data));
      worker.terminate();
    };
    worker.onerror = () => {
      resolve(layoutHere(nodes, edges));
      worker.terminate();
    };
    worker.postMessage({ nodes, edges });
  });
}

/** A graph's shape: what its layout depends on (a running run's refreshes keep it). */
export function graphKey(nodes: GraphNode[], edges: GraphEdge[]): string {
  return JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.source, e.target])]);
}

/** Layouts started or done, by graph shape: the few last graphs looked at. */
const layouts = new Map<string, { promise: Promise<Positions>; done: Positions | null }>();

/** The graph's layout, started at most once per shape. */
export function graphLayout(nodes: GraphNode[], edges: GraphEdge[]): Promise<Positions> {
  const key = graphKey(nodes, edges);
  let layout = layouts.get(key);
  if (!layout) {
    // Marks on the page's performance timeline (the render bench reads them).
    performance.mark('weft:layout-start');
    const entry: { promise: Promise<Positions>; done: Positions | null } = { promise: layoutInWorker(nodes, edges), done: null };
    void entry.promise.then((positions) => {
      performance.mark('weft:layout-done');
      entry.done = positions;
    });
    layout = entry;
    layouts.set(key, layout);
    if (layouts.size > 4) layouts.delete(layouts.keys().next().value as string);
  }
  return layout.promise;
}

/** The layout of this shape if it is already done (the page then draws the graph in its first render). */
export function finishedLayout(key: string): Positions | null {
  return layouts.get(key)?.done ?? null;
}
