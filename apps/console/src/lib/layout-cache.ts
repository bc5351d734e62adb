// Where a run's graph gets its layout, and the layouts already made. A big graph (the runs the page must draw
// quickly) is laid out at once on the page by the layered layout (layered-layout.ts, a few milliseconds for 200
// nodes), so the run page draws it in its first render; a small graph by dagre (graph-layout.ts), fetched then.
// The console's first script starts the layout as soon as the run's answer arrives, while the rest of the console
// still loads; the run page then finds the layout done, or waits for the same one.
import type { GraphEdge, GraphNode } from '../types';
import { layeredLayout } from './layered-layout';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 64;

export type Positions = Map<string, { x: number; y: number }>;

/**
 * From this many nodes on, the graph is laid out by the layered layout, not dagre: dagre's drawing is tidier (it
 * straightens long edges) but took ~330 ms for a 200-node run, ~1 ms for the layered layout.
 */
export const LAYERED_LAYOUT_FROM = 40;

/** A small graph: dagre, fetched on first use (its own chunk). */
async function layoutWithDagre(nodes: GraphNode[], edges: GraphEdge[]): Promise<Positions> {
  const { layoutGraph } = await import('./graph-layout');
  return layoutGraph(nodes, edges);
}

/** A graph's shape: what its layout depends on (a running run's refreshes keep it). */
export function graphKey(nodes: GraphNode[], edges: GraphEdge[]): string {
  return JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.source, e.target])]);
}

interface Layout {
  promise: Promise<Positions>;
  done: Positions | null;
}

/** Layouts started or done, by graph shape: the few last graphs looked at. */
const layouts = new Map<string, Layout>();

/** The graph's layout, made at most once per shape (a big graph's is done when this returns). */
export function graphLayout(nodes: GraphNode[], edges: GraphEdge[]): Promise<Positions> {
  return layoutOf(graphKey(nodes, edges), nodes, edges).promise;
}

function layoutOf(key: string, nodes: GraphNode[], edges: GraphEdge[]): Layout {
  let layout = layouts.get(key);
  if (!layout) {
    // Marks on the page's performance timeline (the render bench reads them).
    performance.mark('weft:layout-start');
    if (nodes.length >= LAYERED_LAYOUT_FROM) {
      const positions = layeredLayout(nodes, edges);
      performance.mark('weft:layout-done');
      layout = { promise: Promise.resolve(positions), done: positions };
    } else {
      const entry: Layout = { promise: layoutWithDagre(nodes, edges), done: null };
      void entry.promise.then((positions) => {
        performance.mark('weft:layout-done');
        entry.done = positions;
      });
      layout = entry;
    }
    layouts.set(key, layout);
    if (layouts.size > 4) layouts.delete(layouts.keys().next().value as string);
  }
  return layout;
}

/**
 * The layout of this graph if it can be had now: a big graph's is made here if it is not yet, a small graph's only
 * if dagre has already finished it (the page then draws the graph in its first render).
 */
export function readyLayout(key: string, nodes: GraphNode[], edges: GraphEdge[]): Positions | null {
  const done = layouts.get(key)?.done;
  if (done) return done;
  return nodes.length >= LAYERED_LAYOUT_FROM ? layoutOf(key, nodes, edges).done : null;
}
