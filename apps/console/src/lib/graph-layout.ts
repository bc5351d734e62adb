// The run's workflow drawn left to right: dagre places the DSL graph's nodes (their editor positions are ignored,
// they are often overlapping after an import); nodes inside an iteration or loop are laid out with the rest.
// Used for small graphs only (lib/layout-cache.ts decides; big ones get the quicker layered-layout.ts), fetched then.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphNode } from '../types';
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from './layout-cache';

export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): Positions {
  const g = new dagre.graphlib.Graph();
  // Ranked by longest path: about a third less CPU than dagre's default (network simplex), and a workflow's
  // left-to-right flow reads the same (a short branch's nodes sit next to where it joins); layered-layout.ts ranks alike.
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 60, marginx: 10, marginy: 10, ranker: 'longest-path' });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const positions: Positions = new Map();
  for (const id of ids) {
    const p = g.node(id) as { x: number; y: number } | undefined;
    // dagre gives centres; React Flow wants top-left corners.
    positions.set(id, p ? { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 } : { x: 0, y: 0 });
  }
  return positions;
}
