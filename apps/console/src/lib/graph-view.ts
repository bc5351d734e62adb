// The geometry of a big run's graph as the run page draws it without React Flow (components/PlainGraph.tsx): one SVG
// whose viewBox is the part of the graph in view. The browser fits the viewBox into the frame (preserveAspectRatio),
// so the first view needs no measuring of the page; panning and zooming change the viewBox.
import type { GraphEdge } from '../types';
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from './layout-cache';

/** A rectangle in the graph's own units (the layout's pixels). */
export interface ViewBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Space left around the graph in the first view. */
export const VIEW_MARGIN = 40;

/** The whole graph with a margin: the first view, and "fit view". An empty graph gets one node's room. */
export function graphBounds(positions: Positions): ViewBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const { x, y } of positions.values()) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + NODE_WIDTH);
    maxY = Math.max(maxY, y + NODE_HEIGHT);
  }
  if (minX === Infinity)
    return { x: -VIEW_MARGIN, y: -VIEW_MARGIN, width: NODE_WIDTH + 2 * VIEW_MARGIN, height: NODE_HEIGHT + 2 * VIEW_MARGIN };
  return { x: minX - VIEW_MARGIN, y: minY - VIEW_MARGIN, width: maxX - minX + 2 * VIEW_MARGIN, height: maxY - minY + 2 * VIEW_MARGIN };
}

/** The curve of one edge from a source's right side to a target's left side (the shape React Flow's edges have). */
export function edgeCurve(sx: number, sy: number, tx: number, ty: number): string {
  const reach = tx >= sx ? (tx - sx) / 2 : 25 * Math.sqrt((sx - tx) / 4);
  const r = (n: number) => Math.round(n * 10) / 10;
  return `M${r(sx)} ${r(sy)}C${r(sx + reach)} ${r(sy)} ${r(tx - reach)} ${r(ty)} ${r(tx)} ${r(ty)}`;
}

/**
 * All edges as the path data of two paths (hundreds of edges, two elements): the edges touching a running node
 * (drawn moving) and the others. An edge with an end that has no position is left out.
 */
export function edgePaths(
  edges: GraphEdge[],
  positions: Positions,
  isRunning: (nodeId: string) => boolean,
): { idle: string; running: string } {
  const idle: string[] = [];
  const running: string[] = [];
  for (const edge of edges) {
    const s = positions.get(edge.source);
    const t = positions.get(edge.target);
    if (!s || !t) continue;
    const curve = edgeCurve(s.x + NODE_WIDTH, s.y + NODE_HEIGHT / 2, t.x, t.y + NODE_HEIGHT / 2);
    (isRunning(edge.source) || isRunning(edge.target) ? running : idle).push(curve);
  }
  return { idle: idle.join(''), running: running.join('') };
}

/** How far in and out the view zooms, as the view's width in graph units (the graph fitted is `fit`). */
export function zoomLimits(fit: ViewBox): { minWidth: number; maxWidth: number } {
  return { minWidth: Math.min(fit.width, 3 * NODE_WIDTH), maxWidth: fit.width * 2 };
}

/**
 * The view zoomed by `factor` (above 1 zooms in) around the point (cx, cy) in graph units, which stays where it
 * is on screen; the view's width is kept within `limits`.
 */
export function zoomAt(view: ViewBox, factor: number, cx: number, cy: number, limits: { minWidth: number; maxWidth: number }): ViewBox {
  const width = Math.min(Math.max(view.width / factor, limits.minWidth), limits.maxWidth);
  const scale = width / view.width;
  return {
    x: cx - (cx - view.x) * scale,
    y: cy - (cy - view.y) * scale,
    width,
    height: view.height * scale,
  };
}

/** The view moved by (dx, dy) graph units. */
export function panBy(view: ViewBox, dx: number, dy: number): ViewBox {
  return { ...view, x: view.x + dx, y: view.y + dy };
}

/**
 * The view with the node at `position` in it: the same view when the node is wholly in view already, else the view
 * moved (not zoomed) so the node is at its centre. Keyboard focus moving to a node out of view brings it into view.
 */
export function revealNode(view: ViewBox, position: { x: number; y: number }): ViewBox {
  const inside =
    position.x >= view.x &&
    position.y >= view.y &&
    position.x + NODE_WIDTH <= view.x + view.width &&
    position.y + NODE_HEIGHT <= view.y + view.height;
  if (inside) return view;
  return {
    ...view,
    x: position.x + NODE_WIDTH / 2 - view.width / 2,
    y: position.y + NODE_HEIGHT / 2 - view.height / 2,
  };
}

/** A node's title cut to what fits on its box (the full title is in its accessible name). */
export function shortTitle(title: string, max = 26): string {
  return title.length <= max ? title : `${title.slice(0, max - 1)}…`;
}

/** The zoom from which a node's text is drawn: its 12 px lines are then at least about 5 px high. */
export const TEXT_FROM_SCALE = 0.4;

/**
 * Whether nodes show their text in this view, in a frame of this size in pixels: the browser fits the view into
 * the frame (the smaller of the two ratios, preserveAspectRatio's "meet"), and text smaller than TEXT_FROM_SCALE of
 * its size is not drawn (the node's name and status stay in its accessible name, and its colour).
 */
export function showsText(view: ViewBox, frame: { width: number; height: number }): boolean {
  const scale = Math.min(frame.width / view.width, frame.height / view.height);
  return scale >= TEXT_FROM_SCALE;
}
