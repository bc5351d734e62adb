// The geometry of a big run's graph drawn without React Flow (graph-view.ts, components/PlainGraph.tsx).
import type { GraphEdge } from '../types';
import {
  edgeCurve,
  edgePaths,
  graphBounds,
  panBy,
  revealNode,
  shortTitle,
  showsText,
  TEXT_FROM_SCALE,
  VIEW_MARGIN,
  zoomAt,
  zoomLimits,
  type ViewBox,
} from './graph-view';
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from './layout-cache';

const positions: Positions = new Map([
  ['a', { x: 0, y: 100 }],
  ['b', { x: 300, y: 0 }],
  ['c', { x: 300, y: 200 }],
  ['d', { x: 600, y: 100 }],
]);
const edge = (source: string, target: string): GraphEdge => ({ id: `${source}-${target}`, source, target });

describe('graph view', () => {
  it('frames the whole graph with a margin, and an empty graph with one node of room', () => {
    expect(graphBounds(positions)).toEqual({
      x: -VIEW_MARGIN,
      y: -VIEW_MARGIN,
      width: 600 + NODE_WIDTH + 2 * VIEW_MARGIN,
      height: 200 + NODE_HEIGHT + 2 * VIEW_MARGIN,
    });
    const empty = graphBounds(new Map());
    expect(empty.width).toBeGreaterThan(NODE_WIDTH);
    expect(empty.height).toBeGreaterThan(NODE_HEIGHT);
  });

  it("draws an edge from the source's right side to the target's left side", () => {
    expect(edgeCurve(0, 10, 100, 50)).toBe('M0 10C50 10 50 50 100 50');
    // Backwards (a loop back): still leaves rightwards and arrives from the left.
    const back = edgeCurve(200, 0, 0, 0)
      .match(/-?[\d.]+/g)!
      .map(Number);
    expect(back[2]).toBeGreaterThan(200);
    expect(back[4]).toBeLessThan(0);
  });

  it('puts every edge in one of two paths, those touching a running node apart, and skips edges without both ends', () => {
    const edges = [edge('a', 'b'), edge('a', 'c'), edge('b', 'd'), edge('c', 'd'), edge('c', 'gone')];
    const { idle, running } = edgePaths(edges, positions, (id) => id === 'b');
    expect(running.match(/M/g)).toHaveLength(2);
    expect(idle.match(/M/g)).toHaveLength(2);
    expect(running.startsWith(`M${NODE_WIDTH} ${100 + NODE_HEIGHT / 2}C`)).toBe(true);
    expect(edgePaths([], positions, () => false)).toEqual({ idle: '', running: '' });
  });

  it('zooms around a point that stays put, within the limits', () => {
    const view: ViewBox = { x: 0, y: 0, width: 1000, height: 500 };
    const limits = { minWidth: 100, maxWidth: 2000 };
    const zoomed = zoomAt(view, 2, 250, 100, limits);
    expect(zoomed).toEqual({ x: 125, y: 50, width: 500, height: 250 });
    // The point keeps its place relative to the view.
    expect((250 - zoomed.x) / zoomed.width).toBeCloseTo((250 - view.x) / view.width);
    expect(zoomAt(view, 1000, 500, 250, limits).width).toBe(100);
    expect(zoomAt(view, 0.001, 500, 250, limits).width).toBe(2000);
    expect(zoomAt(view, 0.001, 500, 250, limits).height).toBe(1000);
  });

  it('zooms in to a few nodes across at most and out to twice the whole graph', () => {
    const fit: ViewBox = { x: 0, y: 0, width: 15000, height: 1000 };
    expect(zoomLimits(fit)).toEqual({ minWidth: 3 * NODE_WIDTH, maxWidth: 30000 });
    // A graph narrower than that can still be seen whole.
    expect(zoomLimits({ x: 0, y: 0, width: 300, height: 100 }).minWidth).toBe(300);
  });

  it('pans by graph units', () => {
    expect(panBy({ x: 10, y: 20, width: 100, height: 50 }, -5, 5)).toEqual({ x: 5, y: 25, width: 100, height: 50 });
  });

  it('brings a node out of view to the centre and leaves the view alone for a node in it', () => {
    const view: ViewBox = { x: 0, y: 0, width: 1000, height: 500 };
    expect(revealNode(view, { x: 100, y: 100 })).toBe(view);
    const moved = revealNode(view, { x: 5000, y: 100 });
    expect(moved.width).toBe(1000);
    expect(moved.x + moved.width / 2).toBe(5000 + NODE_WIDTH / 2);
    expect(moved.y + moved.height / 2).toBe(100 + NODE_HEIGHT / 2);
    // Partly out of view counts as out.
    expect(revealNode(view, { x: 900, y: 100 })).not.toBe(view);
  });

  it('shows text from the zoom where it is legible, taking the smaller of the two fitting ratios', () => {
    const frame = { width: 1000, height: 400 };
    expect(showsText({ x: 0, y: 0, width: 1000, height: 400 }, frame)).toBe(true);
    expect(showsText({ x: 0, y: 0, width: 15000, height: 1000 }, frame)).toBe(false);
    expect(showsText({ x: 0, y: 0, width: 1000 / TEXT_FROM_SCALE, height: 100 }, frame)).toBe(true);
    // Wide enough, but too tall: the browser fits the height, so the text would be small.
    expect(showsText({ x: 0, y: 0, width: 1000, height: 400 / (TEXT_FROM_SCALE / 2) }, frame)).toBe(false);
  });

  it('cuts long titles with an ellipsis', () => {
    expect(shortTitle('Step 1')).toBe('Step 1');
    const long = 'A very long node title that does not fit';
    expect(shortTitle(long)).toHaveLength(26);
    expect(shortTitle(long).endsWith('…')).toBe(true);
  });
});
